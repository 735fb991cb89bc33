import { describe, expect, it } from "vitest";
import { assertServiceConfig, ConfigError, loadConfig, resultDestinations, servedBuckets } from "../../src/config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      AWS_ENDPOINT: "http://127.0.0.1:4566",
      AWS_REGION: "us-east-1",
      BUCKET: "videos",
      QUEUE_NAME: "video-events",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/tvidz",
      FFMPEG_PATH: "ffmpeg",
      FFPROBE_PATH: "ffprobe",
      S3_FORCE_PATH_STYLE: true,
      INDEX_CENTRE_STRIPS: true,
    });
    expect(config.CONCURRENCY).toBeGreaterThanOrEqual(1);
  });

  it("reads overrides and coerces numbers and booleans", () => {
    const config = loadConfig({ PORT: "9000", CONCURRENCY: "4", S3_FORCE_PATH_STYLE: "false", FFMPEG_PATH: "/opt/ff/ffmpeg" });
    expect(config).toMatchObject({ PORT: 9000, CONCURRENCY: 4, S3_FORCE_PATH_STYLE: false, FFMPEG_PATH: "/opt/ff/ffmpeg" });
  });

  it("reads CORS origins as a list, closed by default", () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, https://b.example" }).CORS_ORIGINS).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
  });

  it("serves BUCKET and EXTRA_BUCKETS, which must be bucket names", () => {
    expect(servedBuckets(loadConfig({ BUCKET: "main", EXTRA_BUCKETS: "archive, legacy-2019,main" }))).toEqual([
      "main",
      "archive",
      "legacy-2019",
    ]);
    expect(() => loadConfig({ EXTRA_BUCKETS: "Not_A_Bucket" })).toThrow(/EXTRA_BUCKETS/);
  });

  it("sends result events where told: webhooks only over HTTPS (HTTP to localhost) and only with a secret", () => {
    const config = loadConfig({
      RESULTS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/results",
      RESULTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:results",
      WEBHOOK_URLS: "https://hooks.example.com/tvidz,http://localhost:9000/hook",
      WEBHOOK_SECRETS: "s".repeat(32),
    });
    expect(resultDestinations(config)).toEqual([
      "sqs:https://sqs.eu-west-1.amazonaws.com/123456789012/results",
      "sns:arn:aws:sns:eu-west-1:123456789012:results",
      "webhook:https://hooks.example.com/tvidz",
      "webhook:http://localhost:9000/hook",
    ]);
    expect(() => loadConfig({ WEBHOOK_URLS: "http://10.0.0.5/hook" })).toThrow(/WEBHOOK_URLS/);
    expect(() => loadConfig({ WEBHOOK_SECRETS: "short" })).toThrow(/WEBHOOK_SECRETS/);
    expect(() => loadConfig({ RESULTS_TOPIC_ARN: "results" })).toThrow(/RESULTS_TOPIC_ARN/);
    const unsigned = loadConfig({ WEBHOOK_URLS: "https://hooks.example.com/x", AUTH_MODE: "none" });
    expect(() => assertServiceConfig(unsigned)).toThrow(/WEBHOOK_URLS: needs WEBHOOK_SECRETS/);
  });

  it('means the real AWS endpoints when AWS_ENDPOINT is "aws"', () => {
    expect(loadConfig({ AWS_ENDPOINT: "aws" }).AWS_ENDPOINT).toBeUndefined();
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "" }).PORT).toBe(8080);
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["AWS_ENDPOINT", "not a url"],
    ["DATABASE_URL", "mysql://localhost/db"],
    ["CONCURRENCY", "0"],
    ["LOG_LEVEL", "loud"],
    ["VISIBILITY_TIMEOUT_SEC", "5"],
  ])("rejects %s=%s and names the variable", (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(name);
  });
});
