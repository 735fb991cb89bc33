import { LRUCache } from "lru-cache";
import type { ObjectRef } from "../domain/object-event.js";
import type { ObjectStore } from "../objects/object-store.js";
import type { DuplicatePosition } from "../domain/match.js";
import type { DuplicatesPageRecord, RecentVideo, VideoStatusRecord } from "../store/status-queries.js";
import { buildRecentVideos, type RecentVideos } from "./recent-videos.js";
import { buildDuplicatesPage, buildSnapshot, pendingSnapshot, type DuplicatesPage, type StatusSnapshot } from "./snapshot.js";

/** How long a status request waits for the object store's answer to "is it in the bucket?". */
const HEAD_TIMEOUT_MS = 5_000;

/** The stored state the answers are built from (StatusQueries in production). */
export interface StatusRecords {
  findStatus(ref: ObjectRef): Promise<VideoStatusRecord | undefined>;
  listDuplicates(ref: ObjectRef, after: DuplicatePosition | undefined, limit: number): Promise<DuplicatesPageRecord | undefined>;
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
  private readonly cache: LRUCache<string, { snapshot: StatusSnapshot | undefined }, ObjectRef>;
  private readonly now: () => Date;
  /** The default bucket: lookups that name none, and the overview page. */
  readonly defaultBucket: string;

  /** `buckets`: the served buckets, the default first. */
  constructor(
    private readonly records: StatusRecords,
    private readonly objects: Pick<ObjectStore, "head">,
    private readonly buckets: readonly string[],
    options: StatusServiceOptions,
  ) {
    const [defaultBucket] = buckets;
    if (!defaultBucket) throw new Error("StatusService needs at least one bucket");
    this.defaultBucket = defaultBucket;
    this.now = options.now ?? (() => new Date());
    this.cache = new LRUCache({
      max: options.cacheMaxKeys,
      ttl: options.cacheTtlMs,
      fetchMethod: async (_cacheKey, _stale, { context }) => ({ snapshot: await this.read(context) }),
    });
  }

  /** True when the service serves this bucket: only those are ever read. */
  serves(bucket: string): boolean {
    return this.buckets.includes(bucket);
  }

  /** The state of `key` in `bucket` (the default bucket when none is named); undefined when nobody knows it. */
  async get(key: string, bucket: string = this.defaultBucket): Promise<StatusSnapshot | undefined> {
    if (!this.serves(bucket)) return undefined;
    const ref = { bucket, key };
    return (await this.cache.fetch(`${bucket}/${key}`, { context: ref }))?.snapshot;
  }

  /**
   * A page of the duplicates of `key` (after `after`, from the strongest when undefined);
   * an empty page for an object still on its way, undefined when nobody knows it. Not cached:
   * pages are read rarely, and each costs one index range scan.
   */
  async duplicates(ref: ObjectRef, after: DuplicatePosition | undefined, limit: number): Promise<DuplicatesPage | undefined> {
    if (!this.serves(ref.bucket)) return undefined;
    const page = await this.records.listDuplicates(ref, after, limit);
    if (page) return buildDuplicatesPage(ref, page);
    return (await this.get(ref.key, ref.bucket)) ? buildDuplicatesPage(ref, { total: 0, duplicates: [], next: null }) : undefined;
  }

  /** The most recently updated videos of the default bucket (the overview page). */
  async recent(limit: number): Promise<RecentVideos> {
    return buildRecentVideos(await this.records.listRecent(this.defaultBucket, limit));
  }

  private async read(ref: ObjectRef): Promise<StatusSnapshot | undefined> {
    const record = await this.records.findStatus(ref);
    if (record) return buildSnapshot(record);
    // Bounded: a frozen object store makes this a 503, not a request that hangs.
    return (await this.objects.head(ref, AbortSignal.timeout(HEAD_TIMEOUT_MS))) ? pendingSnapshot(ref, this.now()) : undefined;
  }
}
