import { z } from "zod";
import { notA, type ParsedMessage } from "./parsed-message.js";
import { decodeS3Key } from "./s3-event.js";

/**
 * S3 events delivered through EventBridge to the queue (a rule on `"source": ["aws.s3"]` with
 * the queue as its target): one event a message, `detail-type` "Object Created" or "Object
 * Deleted". Other S3 detail types (restores, tags, storage classes) are counted and ignored.
 */
const EventBridgeS3Schema = z.object({
  source: z.literal("aws.s3"),
  "detail-type": z.string(),
  // AWS writes an ISO time; moto writes Unix seconds.
  time: z.union([z.string(), z.number().transform((sec) => new Date(sec * 1000).toISOString())]).optional(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      etag: z.string().optional(),
      /** moto's spelling. */
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

/** The EventBridge envelope: `source` and `detail-type` at the top level. */
export function isEventBridgeEvent(payload: unknown): boolean {
  return typeof payload === "object" && payload !== null && "detail-type" in payload && "source" in payload;
}

export function parseEventBridgeEvent(payload: unknown): ParsedMessage {
  const event = EventBridgeS3Schema.safeParse(payload);
  if (!event.success) throw notA("an S3 event from EventBridge", event.error);
  const { detail, time } = event.data;
  // Keys are read as in S3's own notifications (form-URL-encoded); a key that is not valid
  // percent-encoding is used as it came.
  const common = { bucket: detail.bucket.name, key: decodeS3Key(detail.object.key), eventTime: time, sequencer: detail.object.sequencer };
  switch (event.data["detail-type"]) {
    case "Object Created":
      return {
        kind: "changes",
        changes: [{ change: "created", ...common, size: detail.object.size, etag: detail.object.etag ?? detail.object.eTag }],
        ignoredRecords: 0,
      };
    case "Object Deleted":
      return { kind: "changes", changes: [{ change: "removed", ...common }], ignoredRecords: 0 };
    default:
      return { kind: "changes", changes: [], ignoredRecords: 1 };
  }
}
