import { z } from "zod";
import type { ObjectChange } from "../domain/object-event.js";
import { notA, type ParsedMessage } from "./parsed-message.js";

const S3RecordSchema = z.object({
  eventSource: z.string().optional(),
  eventName: z.string(),
  // moto writes eventTime without a zone designator: keep it as text.
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const S3EventSchema = z.object({ Records: z.array(S3RecordSchema).min(1) });
const TestEventSchema = z.object({ Event: z.literal("s3:TestEvent"), Bucket: z.string().optional() });

/**
 * S3 form-URL-encodes keys (space as "+", a literal "+" as "%2B"). A key that is not valid
 * percent-encoding came from an emulator that sends raw keys, so it is used as it is.
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return encoded;
  }
}

/** The inverse of decodeS3Key: how S3 writes a key into a notification. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+");
}

/**
 * An S3 event notification (`{"Records": [...]}`, or the `s3:TestEvent` S3 sends when a
 * notification is configured), already unwrapped from JSON and any SNS envelope. Records other
 * than ObjectCreated:* and ObjectRemoved:* are counted and ignored.
 */
export function parseS3Notification(payload: unknown): ParsedMessage {
  const test = TestEventSchema.safeParse(payload);
  if (test.success) return { kind: "test-event", bucket: test.data.Bucket };

  const event = S3EventSchema.safeParse(payload);
  if (!event.success) throw notA("an S3 event notification", event.error);
  const changes: ObjectChange[] = [];
  for (const r of event.data.Records) {
    const common = {
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      eventTime: r.eventTime,
      sequencer: r.s3.object.sequencer,
    };
    if (r.eventName.startsWith("ObjectCreated:"))
      changes.push({ change: "created", ...common, size: r.s3.object.size, etag: r.s3.object.eTag });
    else if (r.eventName.startsWith("ObjectRemoved:")) changes.push({ change: "removed", ...common });
  }
  return { kind: "changes", changes, ignoredRecords: event.data.Records.length - changes.length };
}
