import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

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
