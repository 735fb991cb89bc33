import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";

export interface AwsOptions {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly forcePathStyle: boolean;
}

/**
 * Clients for S3 and SQS. Credentials come from the SDK's default chain (environment,
 * profile, instance role); emulators accept any. An undefined endpoint means real AWS.
 */
export function createAwsClients(options: AwsOptions): { s3: S3Client; sqs: SQSClient } {
  const common = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}), maxAttempts: 3 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: options.forcePathStyle }),
    sqs: new SQSClient(common),
  };
}
