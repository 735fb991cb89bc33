import type { Logger } from "pino";
import { describeError, InspectorError } from "../domain/errors.js";
import type { IngestOutcome } from "../domain/job.js";
import type { ObjectCreated } from "../domain/object-event.js";
import type { HandlerResult, MessageHandler } from "./consumer.js";
import { MessageParseError, parseS3Message } from "./s3-event.js";
import type { QueueMessage } from "./sqs-queue.js";

/** What handles one object-created event (analyzeObject in production). */
export type ObjectIngest = (object: ObjectCreated, messageId: string, signal: AbortSignal) => Promise<IngestOutcome>;

export interface MessageHandlerEvents {
  /** A bug outside any job (nothing classified the error): logged loudly and counted. */
  internalError(): void;
}

/**
 * Turns a queue message into ingest calls and decides the message's fate: deleted once every
 * object in it has a stored outcome, retried on a transient failure (after the time a busy
 * job names, else with backoff), left for the dead-letter queue when it cannot be parsed or
 * when handling it hit a bug before any job held it.
 */
export function createMessageHandler(ingest: ObjectIngest, log: Logger, events?: MessageHandlerEvents): MessageHandler {
  return async (message: QueueMessage, signal: AbortSignal): Promise<HandlerResult> => {
    let parsed;
    try {
      parsed = parseS3Message(message.body);
    } catch (err) {
      if (!(err instanceof MessageParseError)) throw err;
      log.warn(
        { event: "message.unparseable", messageId: message.id, receiveCount: message.receiveCount, reason: err.message },
        "unparseable message left for the dead-letter queue",
      );
      return "leave";
    }
    if (parsed.kind === "test-event") {
      log.info({ event: "message.test_event", messageId: message.id, bucket: parsed.bucket }, "s3:TestEvent acknowledged");
      return "delete";
    }
    for (const object of parsed.objects) {
      try {
        await ingest(object, message.id, signal);
      } catch (err) {
        if (!(err instanceof InspectorError)) {
          events?.internalError();
          log.error(
            { event: "message.internal_error", messageId: message.id, key: object.key, err },
            "bug while handling an event; message left for the dead-letter queue",
          );
          return "leave";
        }
        log.warn(
          { event: "message.not_processed", messageId: message.id, key: object.key, err: describeError(err) },
          "object not processed; message will be retried",
        );
        return err.retryAfterMs === undefined ? "retry" : { decision: "retry", afterSec: Math.max(1, Math.ceil(err.retryAfterMs / 1000)) };
      }
    }
    return "delete";
  };
}
