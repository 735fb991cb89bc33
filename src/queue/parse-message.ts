import { z } from "zod";
import { isEventBridgeEvent, parseEventBridgeEvent } from "./eventbridge-event.js";
import { MessageParseError, type ParsedMessage } from "./parsed-message.js";
import { parseS3Notification } from "./s3-event.js";

const SnsEnvelopeSchema = z.object({ Type: z.literal("Notification"), Message: z.string() });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MessageParseError("body is not JSON", { cause: err });
  }
}

/**
 * Parses an SQS message body from any of the routes S3 events take to the queue: an S3 event
 * notification (directly, or wrapped in an SNS envelope) or an EventBridge event. One parser
 * per source, all producing the same domain changes. Throws MessageParseError for anything else.
 */
export function parseQueueMessage(body: string): ParsedMessage {
  let payload = parseJson(body);
  const sns = SnsEnvelopeSchema.safeParse(payload);
  if (sns.success) payload = parseJson(sns.data.Message);
  return isEventBridgeEvent(payload) ? parseEventBridgeEvent(payload) : parseS3Notification(payload);
}
