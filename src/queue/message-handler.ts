import type { Logger } from "pino";
import { describeError, InspectorError } from "../domain/errors.js";
import type { IngestOutcome } from "../domain/job.js";
import type { ObjectChange, ObjectCreated, ObjectRemoved } from "../domain/object-event.js";
import type { HandlerResult, MessageHandler } from "./consumer.js";
import { parseQueueMessage } from "./parse-message.js";
import { MessageParseError } from "./parsed-message.js";
import type { QueueMessage } from "./sqs-queue.js";

/** What the handler acts through: analyzeObject and forgetObject in production. */
export interface ObjectChanges {
  created(object: ObjectCreated, messageId: string, signal: AbortSignal): Promise<IngestOutcome>;
  removed(object: ObjectRemoved, messageId: string): Promise<unknown>;
}

export interface MessageHandlerOptions {
  /** The buckets this service serves: an event for any other is never acted on. */
  readonly buckets: ReadonlySet<string>;
  /** S3 sends one record a message; more than this is refused whole (a message can carry thousands). */
  readonly maxRecords: number;
}

export interface MessageHandlerEvents {
  /** A bug outside any job (nothing classified the error): logged loudly and counted. */
  internalError(): void;
}

/**
 * Turns a queue message into analyses and deletions and decides the message's fate: deleted once
 * every change in it has a stored outcome, retried on a transient failure (after the time a busy
 * job names, else with backoff), left for the dead-letter queue when it cannot be parsed or
 * when handling it hit a bug before any job held it.
 */
export function createMessageHandler(
  act: ObjectChanges,
  options: MessageHandlerOptions,
  log: Logger,
  events?: MessageHandlerEvents,
): MessageHandler {
  return async (message: QueueMessage, signal: AbortSignal): Promise<HandlerResult> => {
    let parsed;
    try {
      parsed = parseQueueMessage(message.body);
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
    const refused = refusal(parsed.changes, options);
    if (refused) {
      log.warn({ event: refused.event, messageId: message.id, receiveCount: message.receiveCount, ...refused.fields }, refused.text);
      return "leave";
    }
    for (const object of parsed.changes) {
      try {
        if (object.change === "created") await act.created(object, message.id, signal);
        else await act.removed(object, message.id);
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

/** Why a message's events are not acted on at all (it goes the dead-letter way), if they are not. */
function refusal(objects: readonly ObjectChange[], options: MessageHandlerOptions) {
  if (objects.length > options.maxRecords) {
    return {
      event: "message.too_many_records",
      fields: { records: objects.length, max: options.maxRecords },
      text: "message with more records than S3 sends left for the dead-letter queue",
    };
  }
  const foreign = objects.find((o) => !options.buckets.has(o.bucket));
  if (foreign) {
    return {
      event: "message.foreign_bucket",
      fields: { bucket: foreign.bucket, key: foreign.key },
      text: "event for a bucket this service does not serve left for the dead-letter queue",
    };
  }
  return undefined;
}
