import { z } from "zod";
import type { ObjectCreated } from "../domain/object-event.js";

export type ParsedMessage =
  | { readonly kind: "test-event"; readonly bucket: string | undefined }
  | { readonly kind: "objects"; readonly objects: readonly ObjectCreated[]; readonly ignoredRecords: number };

export class MessageParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MessageParseError";
  }
}

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
const SnsEnvelopeSchema = z.object({ Type: z.literal("Notification"), Message: z.string() });

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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MessageParseError("body is not JSON", { cause: err });
  }
}

/**
 * Parses an SQS message body carrying an S3 event notification, directly or wrapped in an
 * SNS envelope. Throws MessageParseError for anything that is not one.
 */
export function parseS3Message(body: string): ParsedMessage {
  let payload = parseJson(body);
  const sns = SnsEnvelopeSchema.safeParse(payload);
  if (sns.success) payload = parseJson(sns.data.Message);

  const test = TestEventSchema.safeParse(payload);
  if (test.success) return { kind: "test-event", bucket: test.data.Bucket };

  const event = S3EventSchema.safeParse(payload);
  if (!event.success) {
    const first = event.error.issues[0];
    throw new MessageParseError(`not an S3 event notification (${first?.path.join(".") || "body"}: ${first?.message ?? "invalid"})`);
  }
  const created = event.data.Records.filter((r) => r.eventName.startsWith("ObjectCreated:"));
  return {
    kind: "objects",
    ignoredRecords: event.data.Records.length - created.length,
    objects: created.map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      size: r.s3.object.size,
      etag: r.s3.object.eTag,
      eventTime: r.eventTime,
      sequencer: r.s3.object.sequencer,
    })),
  };
}
