import type { Logger } from "pino";
import { describeError } from "../errors.js";
import type { MessageDecision, MessageHandler } from "../queue/consumer.js";
import { MessageParseError, parseS3Message, type ObjectCreated } from "../queue/s3-event.js";
import type { QueueMessage } from "../queue/sqs-queue.js";
import type { IngestOutcome } from "./analyze-object.js";

export type ObjectIngest = (object: ObjectCreated, messageId: string, signal: AbortSignal) => Promise<IngestOutcome>;

/**
 * Turns a queue message into ingest calls and decides the message's fate: deleted once every
 * object in it has a stored outcome, retried on a transient failure, left for the
 * dead-letter queue when it cannot be parsed.
 */
export function createMessageHandler(ingest: ObjectIngest, log: Logger): MessageHandler {
  return async (message: QueueMessage, signal: AbortSignal): Promise<MessageDecision> => {
    let parsed;
    try {
      parsed = parseS3Message(message.body);
    } catch (err) {
      if (!(err instanceof MessageParseError)) throw err;
      log.warn({ messageId: message.id, receiveCount: message.receiveCount, reason: err.message }, "unparseable message left for the dead-letter queue");
      return "leave";
    }
    if (parsed.kind === "test-event") {
      log.info({ messageId: message.id, bucket: parsed.bucket }, "s3:TestEvent acknowledged");
      return "delete";
    }
    for (const object of parsed.objects) {
      try {
        await ingest(object, message.id, signal);
      } catch (err) {
        log.warn({ messageId: message.id, key: object.key, err: describeError(err) }, "object not processed; message will be retried");
        return "retry";
      }
    }
    return "delete";
  };
}
