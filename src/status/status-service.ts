import { LRUCache } from "lru-cache";
import type { ObjectRef } from "../domain/object-event.js";
import type { ObjectStore } from "../objects/object-store.js";
import type { RecentVideo, VideoStatusRecord } from "../store/status-queries.js";
import { buildRecentVideos, type RecentVideos } from "./recent-videos.js";
import { buildSnapshot, pendingSnapshot, type StatusSnapshot } from "./snapshot.js";

/** How long a status request waits for the object store's answer to "is it in the bucket?". */
const HEAD_TIMEOUT_MS = 5_000;

/** The stored state the answers are built from (StatusQueries in production). */
export interface StatusRecords {
  findStatus(ref: ObjectRef): Promise<VideoStatusRecord | undefined>;
  listRecent(bucket: string, limit: number): Promise<RecentVideo[]>;
}

export interface StatusServiceOptions {
  /**
   * How long a snapshot is served from memory. Progress is written at most once a second,
   * so a fraction of that costs no freshness, while a crowd of clients polling the same keys
   * costs one database read per key per period (concurrent misses share one read).
   */
  readonly cacheTtlMs: number;
  readonly cacheMaxKeys: number;
  readonly now?: () => Date;
}

/**
 * Answers "what is the state of this object?": from the database when a job exists (so
 * terminal results survive restarts and every replica answers alike), `pending` when the
 * object is in the bucket but its event is still on its way, nothing when neither knows it.
 */
export class StatusService {
  private readonly cache: LRUCache<string, { snapshot: StatusSnapshot | undefined }>;
  private readonly now: () => Date;

  constructor(
    private readonly records: StatusRecords,
    private readonly objects: Pick<ObjectStore, "head">,
    private readonly bucket: string,
    options: StatusServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.cache = new LRUCache({
      max: options.cacheMaxKeys,
      ttl: options.cacheTtlMs,
      fetchMethod: async (key) => ({ snapshot: await this.read(key) }),
    });
  }

  async get(key: string): Promise<StatusSnapshot | undefined> {
    return (await this.cache.fetch(key))?.snapshot;
  }

  /** The most recently updated videos of the bucket (the overview page). */
  async recent(limit: number): Promise<RecentVideos> {
    return buildRecentVideos(await this.records.listRecent(this.bucket, limit));
  }

  private async read(key: string): Promise<StatusSnapshot | undefined> {
    const ref = { bucket: this.bucket, key };
    const record = await this.records.findStatus(ref);
    if (record) return buildSnapshot(record);
    // Bounded: a frozen object store makes this a 503, not a request that hangs.
    return (await this.objects.head(ref, AbortSignal.timeout(HEAD_TIMEOUT_MS))) ? pendingSnapshot(key, this.now()) : undefined;
  }
}
