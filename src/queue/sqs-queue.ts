import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { InspectorError } from "../domain/errors.js";

export interface QueueMessage {
  readonly id: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** How many times this message has been received, this time included. */
  readonly receiveCount: number;
}

/** The queue as the consumer needs it; the SQS implementation is below, tests may fake it. */
export interface MessageQueue {
  receive(maxMessages: number, waitTimeSec: number, signal: AbortSignal): Promise<QueueMessage[]>;
  delete(message: QueueMessage): Promise<void>;
  setVisibility(message: QueueMessage, timeoutSec: number): Promise<void>;
}

export class SqsQueue implements MessageQueue {
  private constructor(
    private readonly sqs: SQSClient,
    readonly url: string,
  ) {}

  static async connect(sqs: SQSClient, queueName: string): Promise<SqsQueue> {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).catch(queueError);
    if (!QueueUrl) throw new Error(`queue ${queueName} has no URL`);
    return new SqsQueue(sqs, QueueUrl);
  }

  async receive(maxMessages: number, waitTimeSec: number, signal: AbortSignal): Promise<QueueMessage[]> {
    const response = await this.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: Math.min(10, Math.max(1, maxMessages)),
          WaitTimeSeconds: waitTimeSec,
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
        { abortSignal: signal },
      )
      .catch(queueError);
    return (response.Messages ?? []).flatMap((m) =>
      m.MessageId && m.ReceiptHandle
        ? [
            {
              id: m.MessageId,
              receiptHandle: m.ReceiptHandle,
              body: m.Body ?? "",
              receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
            },
          ]
        : [],
    );
  }

  async delete(message: QueueMessage): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: message.receiptHandle })).catch(queueError);
  }

  async setVisibility(message: QueueMessage, timeoutSec: number): Promise<void> {
    await this.sqs
      .send(new ChangeMessageVisibilityCommand({ QueueUrl: this.url, ReceiptHandle: message.receiptHandle, VisibilityTimeout: timeoutSec }))
      .catch(queueError);
  }
}

/** Up to ten messages sent in one request; entries SQS refuses are sent again, up to three times in all. */
export async function sendBatch(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  let pending = bodies.map((body, i) => ({ Id: String(i), MessageBody: body }));
  for (let round = 1; pending.length > 0; round += 1) {
    const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending })).catch(queueError);
    if (Failed.length > 0 && round === 3) queueError(new Error(`SQS refused ${Failed.length} messages: ${Failed[0]?.Message ?? ""}`));
    const failed = new Set(Failed.map((f) => f.Id));
    pending = pending.filter((entry) => failed.has(entry.Id));
  }
}

/** Messages waiting in the queue and in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs
    .send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    )
    .catch(queueError);
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Every SQS failure is the queue's (transient): the breaker and the logs see QUEUE_UNAVAILABLE. */
function queueError(err: unknown): never {
  throw new InspectorError("QUEUE_UNAVAILABLE", `The queue could not be reached: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}
