/**
 * Bootstraps the bucket, queues and notification wiring against the configured endpoint
 * (moto, LocalStack, or real AWS when AWS_ENDPOINT is "aws"). Idempotent.
 *   npm run setup:aws [-- --eventbridge]   (S3 → EventBridge → SQS instead of the bucket's own notification)
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { awsOptions, loadConfig } from "../src/config.js";
import { createAwsClients, describeAwsError } from "../src/aws/clients.js";
import { bootstrap } from "./lib/bootstrap.js";

const config = loadConfig();
const corsOrigins = (process.env.BUCKET_CORS_ORIGINS ?? "*")
  .split(",")
  .map((o) => o.trim())
  .filter(Boolean);
const aws = awsOptions(config);
const { s3, sqs } = createAwsClients(aws);
const route = process.argv.includes("--eventbridge")
  ? ({
      via: "eventbridge",
      events: new EventBridgeClient({ region: aws.region, ...(aws.endpoint ? { endpoint: aws.endpoint } : {}) }),
    } as const)
  : ({ via: "notification" } as const);

const steps = await bootstrap(s3, sqs, {
  route,
  region: config.AWS_REGION,
  bucket: config.BUCKET,
  extraBuckets: config.EXTRA_BUCKETS,
  queueName: config.QUEUE_NAME,
  visibilityTimeoutSec: config.VISIBILITY_TIMEOUT_SEC,
  maxReceiveCount: 5,
  corsOrigins,
}).catch((err: unknown) => {
  // One line that says what to fix, never a stack.
  process.stderr.write(`setup:aws failed: ${describeAwsError(err, config.AWS_ENDPOINT)}\n`);
  process.exit(1);
});
console.log(`bootstrap against ${config.AWS_ENDPOINT ?? "AWS"} (${config.AWS_REGION}):`);
for (const step of steps) console.log(`  ${step.action.padEnd(8)} ${step.resource}`);
