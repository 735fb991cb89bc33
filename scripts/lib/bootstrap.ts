import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  type BucketLocationConstraint,
  type QueueConfiguration,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { queueDepth as queueDepthAt } from "../../src/queue/sqs-queue.js";
import { putNotification } from "./bucket-notification.js";
import { ensureBucketToEventBridge, ensureRule, ensureTarget } from "./eventbridge-routing.js";

export interface BootstrapOptions {
  /** How S3 events reach the queue: the bucket's own notification, or EventBridge (a rule with the queue as target). */
  readonly route?: { readonly via: "notification" } | { readonly via: "eventbridge"; readonly events: EventBridgeClient };
  readonly region: string;
  readonly bucket: string;
  /** Further buckets the service serves (EXTRA_BUCKETS): each is created and wired to the same queue. */
  readonly extraBuckets?: readonly string[];
  readonly queueName: string;
  readonly visibilityTimeoutSec: number;
  readonly maxReceiveCount: number;
  readonly corsOrigins: readonly string[];
}

export type Step = { readonly resource: string; readonly action: "created" | "exists" | "updated" };

export const NOTIFICATION_ID = "tvidz-object-created";
const FOUR_DAYS_SEC = 4 * 24 * 3600;
const FOURTEEN_DAYS_SEC = 14 * 24 * 3600;

/**
 * Creates or finds everything the service needs: the bucket (with CORS for browser uploads),
 * a dead-letter queue, the work queue with its redrive policy and the queue policy S3 needs
 * to deliver to it, and the bucket's ObjectCreated and ObjectRemoved notification. Safe to run again: existing
 * resources are brought to the desired settings and reported as such. No account id or ARN
 * is written here; ARNs are read back from SQS, so it works on moto, LocalStack and AWS.
 */
export async function bootstrap(s3: S3Client, sqs: SQSClient, options: BootstrapOptions): Promise<Step[]> {
  const steps: Step[] = [];
  const buckets = [options.bucket, ...(options.extraBuckets ?? [])];
  for (const bucket of buckets) {
    steps.push(await ensureBucket(s3, bucket, options.region));
    // Browser uploads need CORS on the bucket; with no origins asked for, none is set.
    if (options.corsOrigins.length > 0) steps.push(await ensureCors(s3, bucket, options.corsOrigins));
  }

  const dlq = await ensureQueue(sqs, `${options.queueName}-dlq`, { MessageRetentionPeriod: String(FOURTEEN_DAYS_SEC) });
  steps.push(dlq.step);
  const dlqArn = await queueArn(sqs, dlq.url);

  const queue = await ensureQueue(sqs, options.queueName, {
    VisibilityTimeout: String(options.visibilityTimeoutSec),
    MessageRetentionPeriod: String(FOUR_DAYS_SEC),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount }),
  });
  steps.push(queue.step);
  const arn = await queueArn(sqs, queue.url);
  const partition = arn.split(":")[1] ?? "aws";
  const bucketArns = buckets.map((bucket) => `arn:${partition}:s3:::${bucket}`);
  const route = options.route ?? { via: "notification" };
  if (route.via === "notification") {
    steps.push(await ensureQueuePolicy(sqs, queue.url, options.queueName, deliveryPolicy(arn, bucketArns)));
    for (const bucket of buckets) steps.push(await ensureNotification(s3, bucket, arn));
    return steps;
  }
  const rule = `${options.queueName}-s3-objects`;
  const { arn: ruleArn, step } = await ensureRule(route.events, rule, buckets);
  steps.push(step);
  steps.push(await ensureQueuePolicy(sqs, queue.url, options.queueName, deliveryPolicy(arn, bucketArns, ruleArn)));
  steps.push(await ensureTarget(route.events, rule, arn));
  for (const bucket of buckets) steps.push(await ensureBucketToEventBridge(s3, bucket, NOTIFICATION_ID));
  return steps;
}

/** The bucket's CORS rule for browser uploads, written only when it differs from what the bucket has. */
async function ensureCors(s3: S3Client, bucket: string, origins: readonly string[]): Promise<Step> {
  const resource = `bucket CORS (${origins.join(", ")})`;
  const rule = {
    AllowedOrigins: [...origins],
    AllowedMethods: ["GET", "PUT", "POST", "HEAD"],
    AllowedHeaders: ["*"],
    ExposeHeaders: ["ETag"],
    MaxAgeSeconds: 3000,
  };
  const current = await s3.send(new GetBucketCorsCommand({ Bucket: bucket })).then(
    (r) => r.CORSRules ?? [],
    () => [], // NoSuchCORSConfiguration
  );
  const [only] = current;
  const { AllowedOrigins, AllowedMethods, AllowedHeaders, ExposeHeaders, MaxAgeSeconds } = only ?? {};
  if (
    current.length === 1 &&
    JSON.stringify({ AllowedOrigins, AllowedMethods, AllowedHeaders, ExposeHeaders, MaxAgeSeconds }) === JSON.stringify(rule)
  ) {
    return { resource, action: "exists" };
  }
  await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [rule] } }));
  return { resource, action: current.length === 0 ? "created" : "updated" };
}

/** The queue policy S3 needs, written only when it differs from the queue's. */
async function ensureQueuePolicy(sqs: SQSClient, url: string, name: string, policy: ReturnType<typeof deliveryPolicy>): Promise<Step> {
  const resource = `queue policy (${policy.Statement.length > 1 ? "s3, EventBridge" : "s3"} → ${name})`;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
  const current = Attributes?.Policy ? (JSON.parse(Attributes.Policy) as unknown) : undefined;
  if (JSON.stringify(current) === JSON.stringify(policy)) return { resource, action: "exists" };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }));
  return { resource, action: current === undefined ? "created" : "updated" };
}

/**
 * Real S3 may only send to a queue whose policy allows it, for the served buckets only;
 * through EventBridge, the rule is the sender and the policy names it.
 */
export function deliveryPolicy(queueArn: string, bucketArns: readonly string[], ruleArn?: string) {
  const allow = (sid: string, service: string, sourceArn: string | readonly string[]) => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnLike: { "aws:SourceArn": sourceArn } },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      allow("AllowS3ObjectCreatedEvents", "s3.amazonaws.com", bucketArns.length === 1 ? bucketArns[0]! : bucketArns),
      ...(ruleArn ? [allow("AllowEventBridgeS3Events", "events.amazonaws.com", ruleArn)] : []),
    ],
  };
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<Step> {
  const resource = `bucket ${bucket}`;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return { resource, action: "exists" };
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw err;
  }
  // us-east-1 is the one region that rejects an explicit location constraint.
  const location = region === "us-east-1" ? undefined : { LocationConstraint: region as BucketLocationConstraint };
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(location ? { CreateBucketConfiguration: location } : {}) }));
  return { resource, action: "created" };
}

async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; step: Step }> {
  const resource = `queue ${name}`;
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) {
      // Written only when they differ: an emulator's SetQueueAttributes also clears the policy.
      const { Attributes: current = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
      if (Object.entries(attributes).every(([name, value]) => sameAttribute((current as Record<string, string | undefined>)[name], value)))
        return { url: QueueUrl, step: { resource, action: "exists" } };
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
      return { url: QueueUrl, step: { resource, action: "updated" } };
    }
  } catch (err) {
    if (
      (err as { name?: string }).name !== "QueueDoesNotExist" &&
      (err as { name?: string }).name !== "AWS.SimpleQueueService.NonExistentQueue"
    )
      throw err;
  }
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return { url: QueueUrl, step: { resource, action: "created" } };
}

/** Attribute values as SQS returns them (a redrive policy's count may come back as a number or a string). */
function sameAttribute(current: string | undefined, wanted: string): boolean {
  if (current === wanted) return true;
  if (!current?.startsWith("{") || !wanted.startsWith("{")) return false;
  const normal = (json: string) =>
    JSON.stringify(
      Object.entries(JSON.parse(json) as Record<string, unknown>)
        .map(([k, v]) => [k, String(v)])
        .sort(),
    );
  return normal(current) === normal(wanted);
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no ARN`);
  return arn;
}

/** What the service acts on: new objects and new versions, and removals (deletes and delete markers). */
export const NOTIFIED_EVENTS = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] as const;

/** Adds our notification (or widens an older one to every event we need) and keeps any other the bucket already has. */
async function ensureNotification(s3: S3Client, bucket: string, queueArnValue: string): Promise<Step> {
  const resource = `notification ${NOTIFIED_EVENTS.join(", ")} → ${queueArnValue}`;
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const ours = current.QueueConfigurations?.find((q) => q.Id === NOTIFICATION_ID || q.QueueArn === queueArnValue);
  if (ours && NOTIFIED_EVENTS.every((e) => ours.Events?.includes(e))) return { resource, action: "exists" };
  const others = (current.QueueConfigurations ?? []).filter((q) => q !== ours);
  const mine: QueueConfiguration = { Id: NOTIFICATION_ID, QueueArn: queueArnValue, Events: [...NOTIFIED_EVENTS] };
  await putNotification(s3, bucket, current, { queues: [...others, mine], eventBridge: current.EventBridgeConfiguration !== undefined });
  return { resource, action: ours ? "updated" : "created" };
}

/** Messages in a queue, visible and in flight (by name). */
export async function queueDepth(sqs: SQSClient, queueName: string): Promise<number> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (!QueueUrl) throw new Error(`queue ${queueName} has no URL`);
  return queueDepthAt(sqs, QueueUrl);
}
