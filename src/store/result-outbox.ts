import { randomUUID } from "node:crypto";
import type { ObjectRef } from "../domain/object-event.js";
import type { ResultDestination, ResultEventType } from "../domain/result-event.js";
import type { Db, Tx } from "./prisma.js";
import { readVideoStatus, type VideoStatusRecord } from "./status-queries.js";

/** One event as committed with the result it reports: the video's record as of that commit. */
export interface OutboxEvent {
  readonly id: string;
  readonly type: ResultEventType;
  readonly occurredAt: Date;
  /** The version the result is about: its ETag and the order of its event (eventOrder). */
  readonly version: { readonly etag: string | null; readonly order: string | null };
  readonly record: VideoStatusRecord;
  /** duplicates.added: the later upload that was found. */
  readonly addedDuplicate?: ObjectRef;
}

/** A delivery of one event to one destination, claimed by this replica until `leaseUntil`. */
export interface ClaimedDelivery {
  readonly event: OutboxEvent;
  readonly destination: ResultDestination;
  /** This attempt's number (1 = the first). */
  readonly attempt: number;
}

/** The JSON column: the record's date as an ISO string. */
type StoredPayload = Omit<OutboxEvent, "id" | "occurredAt" | "record"> & {
  readonly record: Omit<VideoStatusRecord, "updatedAt"> & { readonly updatedAt: string };
};

/**
 * Writes, inside the transaction that commits a result, one outbox row per destination for
 * each event that result causes: so an event exists exactly when its result does (never
 * lost, never early). Rows belong to their video: erasing it removes its undelivered events.
 * `add` hands back the record it wrote (undefined when it wrote nothing).
 */
export const outboxRows = {
  async add(
    tx: Tx,
    destinations: readonly ResultDestination[],
    videoId: string,
    type: ResultEventType,
    addedDuplicate?: ObjectRef,
  ): Promise<VideoStatusRecord | undefined> {
    if (destinations.length === 0) return undefined;
    const status = await readVideoStatus(tx, { id: videoId });
    if (!status) return undefined;
    const { record, version } = status;
    const payload: StoredPayload = {
      type,
      version,
      record: { ...record, updatedAt: record.updatedAt.toISOString() },
      ...(addedDuplicate ? { addedDuplicate: { bucket: addedDuplicate.bucket, key: addedDuplicate.key } } : {}),
    };
    const eventId = randomUUID();
    const json = JSON.stringify(payload);
    for (const destination of destinations)
      await tx.$executeRaw`
        INSERT INTO result_delivery (event_id, destination, video_id, payload)
        VALUES (${eventId}::uuid, ${destination}, ${videoId}::uuid, ${json}::jsonb)`;
    return record;
  },

  /**
   * An erased object's trace in other videos' undelivered events (its own went with its video
   * row): `duplicates.added` events that announce it are dropped, and it is taken out of the
   * duplicates the others' snapshots list.
   */
  async forget(tx: Tx, ref: ObjectRef): Promise<void> {
    const named = JSON.stringify([{ bucket: ref.bucket, file: ref.key }]);
    await tx.$executeRaw`
      DELETE FROM result_delivery WHERE payload->'addedDuplicate' = jsonb_build_object('bucket', ${ref.bucket}::text, 'key', ${ref.key}::text)`;
    await tx.$executeRaw`
      UPDATE result_delivery SET payload = jsonb_set(payload, '{record,duplicates}', (
        SELECT coalesce(jsonb_agg(d ORDER BY n), '[]'::jsonb)
        FROM jsonb_array_elements(payload->'record'->'duplicates') WITH ORDINALITY AS e(d, n)
        WHERE NOT (d->>'bucket' = ${ref.bucket} AND d->>'file' = ${ref.key})))
      WHERE payload->'record'->'duplicates' @> ${named}::jsonb`;
  },
};

interface DeliveryRow {
  event_id: string;
  destination: string;
  payload: StoredPayload;
  attempts: number;
  created_at: Date;
}

/** The dispatcher's side of the outbox: claim due deliveries, then settle each. */
export class ResultOutbox {
  constructor(private readonly db: Db) {}

  /**
   * Up to `limit` due deliveries, each leased to this replica for `leaseMs` (one delivery in
   * flight per event and destination across replicas; a replica that dies mid-send loses its
   * lease and another sends again).
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.db.$queryRaw<DeliveryRow[]>`
      UPDATE result_delivery d SET attempts = d.attempts + 1, lease_until = now() + ${leaseMs} * interval '1 millisecond'
      FROM (
        SELECT event_id, destination FROM result_delivery
        WHERE parked_at IS NULL AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) due
      WHERE d.event_id = due.event_id AND d.destination = due.destination
      RETURNING d.event_id::text, d.destination, d.payload, d.attempts, d.created_at`;
    return rows.map((row) => ({
      destination: row.destination as ResultDestination,
      attempt: row.attempts,
      event: {
        id: row.event_id,
        occurredAt: row.created_at,
        type: row.payload.type,
        version: row.payload.version,
        record: { ...row.payload.record, updatedAt: new Date(row.payload.record.updatedAt) },
        ...(row.payload.addedDuplicate ? { addedDuplicate: row.payload.addedDuplicate } : {}),
      },
    }));
  }

  async delivered(delivery: ClaimedDelivery): Promise<void> {
    await this.db.$executeRaw`
      DELETE FROM result_delivery WHERE event_id = ${delivery.event.id}::uuid AND destination = ${delivery.destination}`;
  }

  async retryLater(delivery: ClaimedDelivery, delayMs: number, error: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE result_delivery SET lease_until = NULL, last_error = ${error},
        next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
      WHERE event_id = ${delivery.event.id}::uuid AND destination = ${delivery.destination}`;
  }

  /** Keeps the delivery, out of the dispatcher's way, until an operator re-drives it (README "Result events"). */
  async park(delivery: ClaimedDelivery, error: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE result_delivery SET lease_until = NULL, last_error = ${error}, parked_at = now()
      WHERE event_id = ${delivery.event.id}::uuid AND destination = ${delivery.destination}`;
  }

  async countParked(): Promise<number> {
    const [row] = await this.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM result_delivery WHERE parked_at IS NOT NULL`;
    return Number(row?.n ?? 0);
  }
}
