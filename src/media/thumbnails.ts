import { LRUCache } from "lru-cache";
import { InspectorError } from "../domain/errors.js";
import type { ObjectRef } from "../domain/object-event.js";
import type { ObjectStore } from "../objects/object-store.js";
import { BoundedPool } from "./bounded-pool.js";
import { allowedDemuxer, policyInputArgs, type AllowedDemuxer, type MediaPolicy } from "./media-policy.js";
import { requireCleanExit, type ProcessGuard } from "./process-guard.js";
import { ScratchDir } from "./scratch-dir.js";

/** What was analysed of a `done` video (StatusQueries in production). */
export interface AnalysedVideos {
  analysedVersion(ref: ObjectRef): Promise<{ etag: string | undefined; durationSec: number; formatName: string | undefined } | undefined>;
}

export interface ThumbnailOptions {
  readonly ffmpegPath: string;
  readonly timeoutMs: number;
  /** Bytes of JPEG kept in memory. */
  readonly cacheBytes: number;
  /** Extractions at once, and requests that may wait for one; past that, THUMBNAILS_BUSY. */
  readonly concurrency: number;
  readonly queue: number;
  readonly tmpDir: string;
  readonly maxObjectBytes: number;
  readonly policy: MediaPolicy;
}

/** A failed extraction is remembered this long, so a broken request cannot be repeated for free. */
const FAILURE_TTL_MS = 10 * 60_000;
const RETRY_AFTER_MS = 2_000;

type Outcome = { readonly jpeg: Buffer } | { readonly error: InspectorError };

/**
 * A small JPEG of one moment of an analysed video, for the pages. Only for videos whose
 * analysis is `done`, and only from the analysed version (S3 If-Match on its ETag): the file
 * the media policy accepted. ffmpeg reads a local copy under the policy with the demuxer the
 * probe found, never a URL. Extractions run in a bounded pool; results, failures included,
 * are cached by key, version and time (0.5 s steps).
 */
export class ThumbnailService {
  private readonly cache: LRUCache<string, Outcome>;
  private readonly inFlight = new Map<string, Promise<Outcome>>();
  private readonly pool: BoundedPool;

  constructor(
    private readonly videos: AnalysedVideos,
    private readonly objects: Pick<ObjectStore, "download">,
    private readonly guard: ProcessGuard,
    private readonly options: ThumbnailOptions,
  ) {
    this.cache = new LRUCache({ maxSize: options.cacheBytes, sizeCalculation: (o) => ("jpeg" in o ? o.jpeg.length || 1 : 256) });
    this.pool = new BoundedPool(options.concurrency, options.queue, "THUMBNAILS_BUSY", RETRY_AFTER_MS);
  }

  /** Whether a thumbnail of that moment can exist (for HEAD): no ffmpeg, no download. Throws NOT_FOUND or INVALID_REQUEST. */
  async check(ref: ObjectRef, atSec: number): Promise<void> {
    await this.version(ref, atSec);
  }

  /** The JPEG; throws NOT_FOUND, INVALID_REQUEST, THUMBNAILS_BUSY or the extraction's own error. */
  async get(ref: ObjectRef, atSec: number): Promise<Buffer> {
    const version = await this.version(ref, atSec);
    const step = Math.round(atSec * 2) / 2;
    const id = JSON.stringify([ref.bucket, ref.key, version.etag ?? "", step]);
    const outcome = this.cache.get(id) ?? (await this.extractOnce(id, ref, version, step));
    if ("error" in outcome) throw outcome.error;
    return outcome.jpeg;
  }

  private async version(ref: ObjectRef, atSec: number) {
    const version = await this.videos.analysedVersion(ref);
    if (!version) throw new InspectorError("NOT_FOUND", "no analysed video with this key (thumbnails exist once the analysis is done)");
    if (atSec > version.durationSec)
      throw new InspectorError("INVALID_REQUEST", `t is past the end of the video (${version.durationSec} s)`);
    return version;
  }

  /** One extraction per id at a time; its outcome is cached, a busy pool's refusal is not. */
  private async extractOnce(
    id: string,
    ref: ObjectRef,
    version: { etag: string | undefined; formatName: string | undefined },
    atSec: number,
  ): Promise<Outcome> {
    let running = this.inFlight.get(id);
    if (!running) {
      running = this.pool
        .run(() => this.extract(ref, version, atSec))
        .then(
          (jpeg): Outcome => ({ jpeg }),
          (err: unknown): Outcome => {
            const error = err instanceof InspectorError ? err : new InspectorError("INTERNAL_ERROR", undefined, { cause: err });
            if (error.permanent) this.cache.set(id, { error }, { ttl: FAILURE_TTL_MS });
            return { error };
          },
        )
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, running);
    }
    const outcome = await running;
    if ("jpeg" in outcome) this.cache.set(id, outcome);
    return outcome;
  }

  private async extract(
    ref: ObjectRef,
    version: { etag: string | undefined; formatName: string | undefined },
    atSec: number,
  ): Promise<Buffer> {
    const scratch = await ScratchDir.create(this.options.tmpDir);
    try {
      await this.objects.download(ref, scratch.objectPath, this.options.maxObjectBytes, undefined, version.etag);
      const demuxer = version.formatName ? allowedDemuxer(version.formatName) : undefined;
      // Seeking the input is fast but finds nothing in a stream without an index and with few
      // keyframes (MPEG-TS): then the frame is found by decoding up to it.
      const jpeg =
        (await this.frame(scratch.objectPath, demuxer, atSec, "input")) ?? (await this.frame(scratch.objectPath, demuxer, atSec, "output"));
      if (!jpeg) throw new InspectorError("INVALID_REQUEST", "no frame at that time");
      return jpeg;
    } finally {
      await scratch.remove();
    }
  }

  private async frame(
    file: string,
    demuxer: AllowedDemuxer | undefined,
    atSec: number,
    seek: "input" | "output",
  ): Promise<Buffer | undefined> {
    const at = ["-ss", String(atSec)];
    const chunks: Buffer[] = [];
    const result = await this.guard.run({
      command: this.options.ffmpegPath,
      // prettier-ignore
      args: ["-v", "error", "-nostdin", ...policyInputArgs(this.options.policy, demuxer), ...(seek === "input" ? at : []), "-i", file,
        ...(seek === "output" ? at : []), "-frames:v", "1", "-vf", "scale=320:-2", "-c:v", "mjpeg", "-q:v", "5", "-f", "image2", "pipe:1"],
      timeoutMs: this.options.timeoutMs,
      onStdoutChunk: (chunk) => chunks.push(chunk),
    });
    requireCleanExit(result, { what: "thumbnail extraction" });
    return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  }
}
