import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { ResultEventType } from "../domain/result-event.js";
import { SIGNATURE_HEADERS, signatureHeader } from "./webhook-signature.js";

/** What a sender needs of the event besides its body. */
export interface EventEnvelope {
  readonly id: string;
  readonly type: ResultEventType;
  /** bucket/key: FIFO queues and topics keep one video's events in order. */
  readonly groupId: string;
}

/** Sends one event to one kind of destination; throws when it was not accepted. */
export type SendEvent = (target: string, body: string, envelope: EventEnvelope) => Promise<void>;

const attributes = (envelope: EventEnvelope) => ({
  eventId: { DataType: "String", StringValue: envelope.id },
  eventType: { DataType: "String", StringValue: envelope.type },
});

/** FIFO queues and topics need a group, and deduplicate by the event id within their window. */
const fifo = (target: string, envelope: EventEnvelope) =>
  target.endsWith(".fifo") ? { MessageGroupId: envelope.groupId.slice(0, 128), MessageDeduplicationId: envelope.id } : {};

export function sqsSender(sqs: SQSClient): SendEvent {
  return async (queueUrl, body, envelope) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: attributes(envelope),
        ...fifo(queueUrl, envelope),
      }),
    );
  };
}

export function snsSender(sns: SNSClient): SendEvent {
  return async (topicArn, body, envelope) => {
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: body, MessageAttributes: attributes(envelope), ...fifo(topicArn, envelope) }),
    );
  };
}

export interface WebhookOptions {
  /** Every secret signs (rotation: old and new together). */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/**
 * POSTs the event, signed (webhook-signature.ts), and accepts only a 2xx answer within the
 * timeout. Redirects are not followed: a receiver that moved is a configuration to fix.
 */
export function webhookSender(options: WebhookOptions): SendEvent {
  const now = options.now ?? Date.now;
  return async (url, body, envelope) => {
    const timestampSec = Math.floor(now() / 1000);
    const response = await fetch(url, {
      method: "POST",
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        "content-type": "application/json",
        "user-agent": "tvidz-inspector",
        [SIGNATURE_HEADERS.eventId]: envelope.id,
        [SIGNATURE_HEADERS.timestamp]: String(timestampSec),
        [SIGNATURE_HEADERS.signature]: signatureHeader(options.secrets, timestampSec, body),
      },
    }).catch((err: unknown) => {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      throw new Error(`the receiver could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause: err });
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`the receiver answered HTTP ${response.status}`);
  };
}
