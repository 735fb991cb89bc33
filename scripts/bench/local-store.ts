import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, stat } from "node:fs/promises";
import type { ObjectStore } from "../../src/objects/object-store.js";

async function digest(file: string, algorithm: "md5" | "sha256"): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Objects are local files (benchmarks bypass S3): "download" copies the file, hashing it as
 * the S3 download does, and HEAD gives the ETag S3 would have computed at upload (the MD5 of
 * a single-part upload), computed once here, outside any timing.
 */
export class LocalFileStore implements ObjectStore {
  private constructor(private readonly files: Map<string, { path: string; etag: string }>) {}

  static async create(files: ReadonlyMap<string, string>): Promise<LocalFileStore> {
    const entries = await Promise.all(
      [...files].map(async ([key, file]) => [key, { path: file, etag: await digest(file, "md5") }] as const),
    );
    return new LocalFileStore(new Map(entries));
  }

  /** Another key for the same file: a re-upload of the same bytes. */
  alias(key: string, existingKey: string): void {
    this.files.set(key, this.files.get(existingKey)!);
  }

  async head(ref: { key: string }) {
    const file = this.files.get(ref.key);
    return file ? { sizeBytes: (await stat(file.path)).size, etag: `"${file.etag}"` } : undefined;
  }

  async download(ref: { key: string }, toPath: string) {
    const file = this.files.get(ref.key)!;
    const [sha256] = await Promise.all([digest(file.path, "sha256"), copyFile(file.path, toPath)]);
    return { sizeBytes: (await stat(file.path)).size, sha256 };
  }
}
