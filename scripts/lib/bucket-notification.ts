import {
  PutBucketNotificationConfigurationCommand,
  type GetBucketNotificationConfigurationCommandOutput,
  type QueueConfiguration,
  type S3Client,
} from "@aws-sdk/client-s3";

/**
 * Writes a bucket's notification configuration with the given queue configurations and
 * EventBridge delivery, keeping every topic and Lambda notification it already has (the call
 * replaces the whole configuration).
 */
export async function putNotification(
  s3: S3Client,
  bucket: string,
  current: GetBucketNotificationConfigurationCommandOutput,
  wanted: { readonly queues: QueueConfiguration[]; readonly eventBridge: boolean },
): Promise<void> {
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: wanted.queues,
        ...(current.TopicConfigurations ? { TopicConfigurations: current.TopicConfigurations } : {}),
        ...(current.LambdaFunctionConfigurations ? { LambdaFunctionConfigurations: current.LambdaFunctionConfigurations } : {}),
        ...(wanted.eventBridge ? { EventBridgeConfiguration: {} } : {}),
      },
    }),
  );
}
