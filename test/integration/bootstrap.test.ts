import { describe, expect, it } from "vitest";
import { GetBucketCorsCommand, GetBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { bootstrap } from "../../scripts/lib/bootstrap.js";
import { uniqueName } from "../helpers/env.js";
import { awsClients } from "../helpers/stack.js";

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
    expect(first.filter((s) => s.action === "created").map((s) => s.resource.split(" ")[0])).toEqual([
      "bucket",
      "queue",
      "queue",
      "notification",
    ]);

    const second = await bootstrap(s3, sqs, options);
    expect(second.filter((s) => s.action === "created")).toEqual([]);
    expect(second.filter((s) => s.action === "exists")).toHaveLength(4);

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
      expect.objectContaining({ QueueArn: Attributes?.QueueArn, Events: ["s3:ObjectCreated:*"] }),
    ]);
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: options.bucket }));
    expect(cors.CORSRules?.[0]?.AllowedOrigins).toEqual(["https://upload.example"]);
  });
});
