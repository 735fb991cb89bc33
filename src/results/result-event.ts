import { z } from "zod";
import { RESULT_EVENT_TYPES } from "../domain/result-event.js";
import type { OutboxEvent } from "../store/result-outbox.js";
import { buildSnapshot, StatusSnapshotSchema } from "../status/snapshot.js";

/** The payload every destination receives. The schema is the contract: /openapi.json describes it. */
export const ResultEventSchema = z
  .object({
    id: z.uuid().describe("the event's id: the same in every delivery of it (retries included), so receivers deduplicate by it"),
    type: z
      .enum(RESULT_EVENT_TYPES)
      .describe("analysis.done | analysis.failed | duplicates.added (a later upload shares footage with this video)"),
    occurredAt: z.iso.datetime().describe("when the result was committed"),
    bucket: z.string(),
    key: z.string(),
    version: z
      .object({
        etag: z.string().nullable().describe("the analysed version's ETag"),
        sequencer: z.string().nullable().describe("the order of the S3 event the version came from (S3's sequencer, or its time)"),
      })
      .readonly(),
    snapshot: StatusSnapshotSchema.describe("the video's status as of the commit: what GET /status/:file answered then"),
    addedDuplicate: z
      .object({ bucket: z.string(), key: z.string() })
      .readonly()
      .optional()
      .describe("duplicates.added: the later upload that was found"),
  })
  .readonly()
  .meta({ id: "ResultEvent" });

export type ResultEvent = z.infer<typeof ResultEventSchema>;

/** The event as sent: one JSON body, the same bytes to every destination. */
export function resultEventBody(event: OutboxEvent): string {
  const payload: ResultEvent = {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    bucket: event.record.bucket,
    key: event.record.key,
    version: { etag: event.version.etag, sequencer: event.version.order },
    snapshot: buildSnapshot(event.record),
    ...(event.addedDuplicate ? { addedDuplicate: event.addedDuplicate } : {}),
  };
  return JSON.stringify(payload);
}
