import { normaliseEtag } from "../domain/object-event.js";
import type { ListedObject } from "../objects/object-store.js";
import { encodeS3Key } from "./s3-event.js";

/** What a backfill works through (S3, the catalog and SQS in production; fakes in unit tests). */
export interface BackfillPorts {
  /** The bucket's objects (under the prefix, after the resume key), a page at a time, in key order. */
  pages(): AsyncIterable<readonly ListedObject[]>;
  /** The ETag each key's finished analysis was of (absent: never analysed to the end). */
  analysedEtags(keys: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
  /** Sends up to ten queue messages. */
  send(bodies: readonly string[]): Promise<void>;
  /** Messages waiting in the queue and in flight. */
  depth(): Promise<number>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface BackfillOptions {
  readonly bucket: string;
  /** Only objects last modified at or after this. */
  readonly since?: Date | undefined;
  /** Count only: nothing is sent. */
  readonly dryRun: boolean;
  /** Objects sent per second at most; 0: no limit. */
  readonly ratePerSec: number;
  /** Sending pauses while the queue holds this many messages or more; 0: no bound. */
  readonly maxDepth: number;
  /** Asked to stop: the batch in flight is finished, then the run ends with `stopped`. */
  readonly signal?: AbortSignal;
}

export interface BackfillProgress {
  readonly listed: number;
  readonly enqueued: number;
  /** Already analysed at the listed ETag. */
  readonly skippedAnalysed: number;
  /** Last modified before --since. */
  readonly skippedOlder: number;
  /** The last key of the last page handled completely: where `--start-after` resumes. */
  readonly resumeAfter: string | undefined;
  /** The queue depth sending waits on, while it waits. */
  readonly waitingForDepth: number | undefined;
}

/** Objects between two looks at the queue depth. */
const DEPTH_CHECK_EVERY = 100;
const DEPTH_WAIT_MS = 1_000;
const SQS_BATCH = 10;
/** Batches sent at once: one SendMessageBatch round trip at a time would bound the rate by latency alone. */
const SENDS_IN_FLIGHT = 4;

/**
 * The message a backfilled object is handed to the service in: an S3 ObjectCreated
 * notification of the listed version, so it takes the normal queue path (any replica, the
 * same claims and dedup). The event time is the object's LastModified; the service checks the
 * object's own HEAD anyway, and a version already analysed is acknowledged without work.
 */
export function backfillMessage(bucket: string, object: ListedObject): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "tvidz:backfill",
        eventName: "ObjectCreated:Backfill",
        ...(object.lastModified ? { eventTime: object.lastModified.toISOString() } : {}),
        s3: {
          bucket: { name: bucket },
          object: { key: encodeS3Key(object.key), size: object.sizeBytes, ...(object.etag ? { eTag: normaliseEtag(object.etag) } : {}) },
        },
      },
    ],
  });
}

/** How long to wait before sending the object after the first `sent` to stay within `ratePerSec` since `startedAt`. */
export function pacingDelayMs(sent: number, startedAt: number, now: number, ratePerSec: number): number {
  if (ratePerSec <= 0) return 0;
  return Math.max(0, startedAt + (sent * 1000) / ratePerSec - now);
}

/**
 * Walks the bucket and hands every object not yet analysed at its listed ETag to the service.
 * One page in memory, idempotent (what was analysed is skipped; a version sent twice
 * is analysed once, by the service's claims), resumable (run it again, or pass the reported
 * resume key), throttled by rate and by queue depth.
 */
export async function runBackfill(
  ports: BackfillPorts,
  options: BackfillOptions,
  onProgress: (progress: BackfillProgress) => void,
): Promise<BackfillProgress & { readonly stopped: boolean }> {
  let progress: BackfillProgress = {
    listed: 0,
    enqueued: 0,
    skippedAnalysed: 0,
    skippedOlder: 0,
    resumeAfter: undefined,
    waitingForDepth: undefined,
  };
  const update = (change: Partial<BackfillProgress>) => {
    progress = { ...progress, ...change };
    onProgress(progress);
  };
  const startedAt = ports.now();
  // A slow rate sends smaller batches, so that messages go out evenly rather than ten at a time.
  const batchSize = options.ratePerSec > 0 ? Math.min(SQS_BATCH, Math.max(1, Math.floor(options.ratePerSec))) : SQS_BATCH;
  let sinceDepthCheck = DEPTH_CHECK_EVERY;
  /** Objects whose sending has started (paced), ahead of `enqueued` while batches are in flight. */
  let scheduled = 0;

  const waitForRoom = async () => {
    if (options.maxDepth <= 0 || sinceDepthCheck < DEPTH_CHECK_EVERY) return;
    sinceDepthCheck = 0;
    for (let depth = await ports.depth(); depth >= options.maxDepth && !options.signal?.aborted; depth = await ports.depth()) {
      update({ waitingForDepth: depth });
      await ports.sleep(DEPTH_WAIT_MS);
    }
    if (progress.waitingForDepth !== undefined) update({ waitingForDepth: undefined });
  };

  for await (const page of ports.pages()) {
    if (options.signal?.aborted) break;
    const recent = options.since ? page.filter((o) => !o.lastModified || o.lastModified >= options.since!) : page;
    const analysed = await ports.analysedEtags(recent.map((o) => o.key));
    const todo = recent.filter((o) => !analysed.has(o.key) || analysed.get(o.key) !== normaliseEtag(o.etag));
    update({
      listed: progress.listed + page.length,
      skippedOlder: progress.skippedOlder + page.length - recent.length,
      skippedAnalysed: progress.skippedAnalysed + recent.length - todo.length,
    });
    if (options.dryRun) {
      update({ enqueued: progress.enqueued + todo.length });
    } else {
      const batches = Array.from({ length: Math.ceil(todo.length / batchSize) }, (_, i) => todo.slice(i * batchSize, (i + 1) * batchSize));
      const sendNext = async (): Promise<void> => {
        for (let batch = batches.shift(); batch && !options.signal?.aborted; batch = batches.shift()) {
          await waitForRoom();
          const delay = pacingDelayMs(scheduled, startedAt, ports.now(), options.ratePerSec);
          scheduled += batch.length;
          if (delay > 0) await ports.sleep(delay);
          if (options.signal?.aborted) return;
          await ports.send(batch.map((o) => backfillMessage(options.bucket, o)));
          sinceDepthCheck += batch.length;
          update({ enqueued: progress.enqueued + batch.length });
        }
      };
      await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, sendNext));
      if (options.signal?.aborted) return { ...progress, stopped: true };
    }
    update({ resumeAfter: page.at(-1)?.key ?? progress.resumeAfter });
  }
  return { ...progress, stopped: options.signal?.aborted ?? false };
}
