import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";

export interface AwsOptions {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** A TCP connection that takes longer than this fails (and is retried by the SDK). */
  readonly connectTimeoutMs: number;
  /**
   * A request on which no byte moves for this long fails: a stalled GetObject body, an
   * endpoint that accepts and never answers. The SDK has no such limit by default.
   */
  readonly idleTimeoutMs: number;
  /** The long poll's wait: SQS requests may stay silent this long, and get the idle time on top. */
  readonly longPollSec: number;
}

/**
 * Clients for S3, SQS and SNS (result events). Credentials come from the SDK's default chain (environment,
 * profile, instance role); emulators accept any. An undefined endpoint means real AWS.
 */
export function createAwsClients(options: AwsOptions): { s3: S3Client; sqs: SQSClient; sns: SNSClient } {
  const common = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}), maxAttempts: 3 };
  // requestTimeout bounds the wait for an answer's headers (it must be opted into to throw);
  // socketTimeout bounds silence on the connection, and so a body that stops half-way.
  const handler = (idleMs: number) =>
    new NodeHttpHandler({
      connectionTimeout: options.connectTimeoutMs,
      requestTimeout: idleMs,
      throwOnRequestTimeout: true,
      socketTimeout: idleMs,
      socketAcquisitionWarningTimeout: 5_000,
    });
  return {
    s3: new S3Client({ ...common, forcePathStyle: options.forcePathStyle, requestHandler: handler(options.idleTimeoutMs) }),
    sqs: new SQSClient({ ...common, requestHandler: handler(options.idleTimeoutMs + options.longPollSec * 1000) }),
    sns: new SNSClient({ ...common, requestHandler: handler(options.idleTimeoutMs) }),
  };
}

/** An AWS error in one line, with the fix for the one every newcomer meets first (no credentials). */
export function describeAwsError(err: unknown, endpoint: string | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === "CredentialsProviderError") {
    return `${message} (${endpoint ? "an emulator takes any: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test" : "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"})`;
  }
  return message.split("\n")[0] ?? message;
}
