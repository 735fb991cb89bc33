/** S3's rule for bucket names (3–63 lowercase letters, digits, dots and hyphens). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An object in a bucket. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/**
 * An object-created notification, whatever its source: the key decoded to the object's real
 * key. Events are hints: the object's own HEAD is the truth.
 */
export interface ObjectCreated extends ObjectRef {
  readonly size: number | undefined;
  readonly etag: string | undefined;
  readonly eventTime: string | undefined;
  /** Orders events for one key (S3 only; moto omits it). */
  readonly sequencer: string | undefined;
}

/** An object-removed notification: a delete, or a delete marker in a versioned bucket. */
export interface ObjectRemoved extends ObjectRef {
  readonly eventTime: string | undefined;
  readonly sequencer: string | undefined;
}

/** What a notification says happened to an object, whatever its source (S3 notification, EventBridge). */
export type ObjectChange = ({ readonly change: "created" } & ObjectCreated) | ({ readonly change: "removed" } & ObjectRemoved);

/** What became of a removed object's data. */
export type Erasure =
  /** Its video, job, fingerprint, index rows, cuts and matches (both directions) are gone. */
  | "erased"
  /** Nothing was stored for the key. */
  | "nothing-stored"
  /** What is stored came from a later event than the removal (a re-upload overtook it). */
  | "kept-newer"
  /** The bucket still holds exactly the version that is stored: the removal is not true of it. */
  | "kept-in-bucket";

/** One object-created event, as the job bookkeeping needs it. */
export interface ObjectEvent extends ObjectRef {
  readonly etag: string | undefined;
  /** Its place among the key's events (eventOrder). */
  readonly order: string | undefined;
}

/** S3 quotes ETags in HEAD responses but not in event notifications. */
export function normaliseEtag(etag: string | undefined): string | null {
  return etag ? etag.replace(/"/g, "") : null;
}

/**
 * A string that orders events for one key: S3's `sequencer` (hex, variable length: left-
 * padded so that string order is numeric order), else the event time (moto sends no
 * sequencer). Undefined when the event carries neither.
 */
export function eventOrder(event: Pick<ObjectCreated, "sequencer" | "eventTime">): string | undefined {
  if (event.sequencer && /^[0-9A-Fa-f]+$/.test(event.sequencer)) return `s:${event.sequencer.toUpperCase().padStart(32, "0")}`;
  if (event.eventTime) {
    // moto writes the time without a zone; S3 times are UTC.
    const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(event.eventTime) ? event.eventTime : `${event.eventTime}Z`);
    if (Number.isFinite(ms)) return `t:${new Date(ms).toISOString()}`;
  }
  return undefined;
}

/** True when `incoming` is known to be older than `stored` (both of the same kind). */
export function isOlderEvent(incoming: string | undefined, stored: string | null): boolean {
  if (!incoming || !stored || incoming.slice(0, 2) !== stored.slice(0, 2)) return false;
  return incoming < stored;
}

/** The job bookkeeping's view of a created object. */
export function toObjectEvent(object: ObjectCreated): ObjectEvent {
  return { bucket: object.bucket, key: object.key, etag: object.etag, order: eventOrder(object) };
}
