import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { GetBucketCorsCommand, GetBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { bootstrap } from "../../scripts/lib/bootstrap.js";
import { requireEnv, uniqueName } from "../helpers/env.js";
import { awsClients } from "../helpers/stack.js";

const run = promisify(execFile);

describe("setup-localstack bootstrap (moto)", () => {
  it("creates bucket, queues, redrive, policy and notification, and finds them all on a second run", async () => {
    const { s3, sqs } = awsClients();
    const options = {
      region: "us-east-1",
      bucket: uniqueName("boot"),
      queueName: uniqueName("boot-q"),
      visibilityTimeoutSec: 120,
      maxReceiveCount: 5,
      corsOrigins: ["https://upload.example"],
    };

    const first = await bootstrap(s3, sqs, options);
    // bucket, its CORS rule, the dead-letter queue, the queue, its policy, the notification
    expect(first.map((s) => s.action)).toEqual(["created", "created", "created", "created", "created", "created"]);
    expect(first.map((s) => s.resource.split(" ")[0])).toEqual(["bucket", "bucket", "queue", "queue", "queue", "notification"]);

    const second = await bootstrap(s3, sqs, options);
    expect(second.filter((s) => s.action !== "exists")).toEqual([]);
    // bucket, its CORS rule, both queues, the queue policy and the notification: compared, not rewritten
    expect(second.filter((s) => s.action === "exists")).toHaveLength(6);

    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: options.queueName }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(Attributes?.VisibilityTimeout).toBe("120");
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? "{}") as { maxReceiveCount: number | string; deadLetterTargetArn: string };
    expect(Number(redrive.maxReceiveCount)).toBe(5);
    expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`:${options.queueName}-dlq$`));
    const policy = JSON.parse(Attributes?.Policy ?? "{}") as { Statement: { Principal: unknown; Condition: unknown }[] };
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: "s3.amazonaws.com" },
      Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${options.bucket}` } },
    });

    const notification = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: options.bucket }));
    expect(notification.QueueConfigurations).toEqual([
      expect.objectContaining({ QueueArn: Attributes?.QueueArn, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] }),
    ]);
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: options.bucket }));
    expect(cors.CORSRules?.[0]?.AllowedOrigins).toEqual(["https://upload.example"]);
  });

  it("without credentials says in one line what to set, with no stack trace", async () => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: "/nonexistent",
      AWS_ENDPOINT: requireEnv("TEST_AWS_ENDPOINT"),
    };
    // No profile files and no instance metadata service to ask: the SDK's chain ends empty-handed.
    Object.assign(env, { AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_CONFIG_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" });
    const failed = await run(process.execPath, ["--import", "tsx", "scripts/setup-localstack.ts"], { env }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    const lines = failed!.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^setup:aws failed: .*AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test/);
    expect(failed!.stderr).not.toMatch(/\n\s+at /);
  });
});
