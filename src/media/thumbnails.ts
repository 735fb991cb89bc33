import { LRUCache } from "lru-cache";
import type { ObjectStore, ObjectUrls } from "../objects/object-store.js";
import { requireCleanExit, type ProcessGuard } from "./process-guard.js";

export interface ThumbnailOptions {
  readonly bucket: string;
  readonly ffmpegPath: string;
  readonly timeoutMs: number;
  /** Bytes of JPEG kept in memory. */
  readonly cacheBytes: number;
}

/**
 * A small JPEG of one moment of a stored video, for the pages. ffmpeg reads the object
 * through a short-lived URL and seeks with range requests, so only the bytes around that
 * moment are fetched; results are cached by key and time (0.5 s steps).
 */
export class ThumbnailService {
  private readonly cache: LRUCache<string, Buffer>;

  constructor(
    private readonly objects: ObjectStore & ObjectUrls,
    private readonly guard: ProcessGuard,
    private readonly options: ThumbnailOptions,
  ) {
    this.cache = new LRUCache({
      maxSize: options.cacheBytes,
      sizeCalculation: (jpeg) => jpeg.length,
      fetchMethod: (id) => this.extract(id),
    });
  }

  /** The JPEG, or undefined when the object is not in the bucket. */
  async get(key: string, atSec: number): Promise<Buffer | undefined> {
    const ref = { bucket: this.options.bucket, key };
    if (!(await this.objects.head(ref))) return undefined;
    return this.cache.fetch(JSON.stringify([key, Math.round(atSec * 2) / 2]));
  }

  private async extract(id: string): Promise<Buffer> {
    const [key, atSec] = JSON.parse(id) as [string, number];
    const url = await this.objects.readUrl({ bucket: this.options.bucket, key }, 60);
    const chunks: Buffer[] = [];
    const result = await this.guard.run({
      command: this.options.ffmpegPath,
      args: [
        "-v",
        "error",
        "-ss",
        String(atSec),
        "-i",
        url,
        "-frames:v",
        "1",
        "-vf",
        "scale=320:-2",
        "-c:v",
        "mjpeg",
        "-q:v",
        "5",
        "-f",
        "image2",
        "pipe:1",
      ],
      timeoutMs: this.options.timeoutMs,
      onStdoutChunk: (chunk) => chunks.push(chunk),
    });
    requireCleanExit(result, { what: "thumbnail extraction" });
    return Buffer.concat(chunks);
  }
}
