import {
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
} from "@aws-sdk/client-eventbridge";
import { GetBucketNotificationConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Step } from "./bootstrap.js";
import { putNotification } from "./bucket-notification.js";

const TARGET_ID = "tvidz-queue";

/** The S3 events the service acts on, as EventBridge names them, for the served buckets. */
export function s3EventPattern(buckets: readonly string[]) {
  return { source: ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"], detail: { bucket: { name: [...buckets] } } };
}

/** The rule that sends the bucket's creations and removals to the queue; its ARN for the queue policy. */
export async function ensureRule(
  events: EventBridgeClient,
  name: string,
  buckets: readonly string[],
): Promise<{ arn: string; step: Step }> {
  const resource = `EventBridge rule ${name} (aws.s3 Object Created/Deleted in ${buckets.join(", ")})`;
  const pattern = JSON.stringify(s3EventPattern(buckets));
  const current = await events.send(new DescribeRuleCommand({ Name: name })).catch(() => undefined);
  if (current?.Arn && current.State === "ENABLED" && JSON.stringify(JSON.parse(current.EventPattern ?? "null")) === pattern) {
    return { arn: current.Arn, step: { resource, action: "exists" } };
  }
  const { RuleArn } = await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern, State: "ENABLED" }));
  if (!RuleArn) throw new Error(`PutRule ${name} returned no ARN`);
  return { arn: RuleArn, step: { resource, action: current ? "updated" : "created" } };
}

export async function ensureTarget(events: EventBridgeClient, rule: string, queueArn: string): Promise<Step> {
  const resource = `EventBridge target ${rule} → ${queueArn}`;
  const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: rule }));
  const ours = Targets?.find((t) => t.Id === TARGET_ID);
  if (ours?.Arn === queueArn) return { resource, action: "exists" };
  await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: TARGET_ID, Arn: queueArn }] }));
  return { resource, action: ours ? "updated" : "created" };
}

/**
 * Turns on the bucket's delivery to EventBridge and removes our direct queue notification
 * (the same events would otherwise arrive twice); any other notification is kept.
 */
export async function ensureBucketToEventBridge(s3: S3Client, bucket: string, notificationId: string): Promise<Step> {
  const resource = `bucket ${bucket} → EventBridge`;
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const queues = (current.QueueConfigurations ?? []).filter((q) => q.Id !== notificationId);
  const direct = queues.length !== (current.QueueConfigurations ?? []).length;
  if (current.EventBridgeConfiguration && !direct) return { resource, action: "exists" };
  await putNotification(s3, bucket, current, { queues, eventBridge: true });
  return { resource, action: current.EventBridgeConfiguration ? "updated" : "created" };
}
