import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3ServiceException,
  type S3Client,
} from "@aws-sdk/client-s3";
import { InspectorError } from "../domain/errors.js";
import type { ObjectRef } from "../domain/object-event.js";
import type { DownloadedObject, ListedObject, ObjectHead, ObjectStore } from "./object-store.js";

function isNotFound(err: unknown): boolean {
  // 412: the version asked for (If-Match) is no longer the object's.
  return (
    err instanceof S3ServiceException &&
    (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404 || err.$metadata.httpStatusCode === 412)
  );
}

function storageError(err: unknown): InspectorError {
  if (isNotFound(err)) return new InspectorError("OBJECT_NOT_FOUND", undefined, { cause: err });
  if (err instanceof InspectorError) return err;
  return new InspectorError("STORAGE_UNAVAILABLE", undefined, { cause: err });
}

/** Counts bytes and hashes them on the way to disk; stops past the size limit. */
function hashingLimiter(maxBytes: number, hash: ReturnType<typeof createHash>, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > maxBytes) {
        callback(new InspectorError("OBJECT_TOO_LARGE", `The object is larger than the limit of ${maxBytes} bytes.`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * The SHA-256 of the whole object, in hex, when S3 has one: the uploader sent
 * `x-amz-checksum-sha256` with a single-part upload (a multipart upload's checksum is of its
 * parts, "…-N", and says nothing about the whole).
 */
function fullObjectSha256(checksum: string | undefined, type: string | undefined): string | undefined {
  if (!checksum || checksum.includes("-") || (type !== undefined && type !== "FULL_OBJECT")) return undefined;
  const bytes = Buffer.from(checksum, "base64");
  return bytes.length === 32 ? bytes.toString("hex") : undefined;
}

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async head(ref: ObjectRef, signal?: AbortSignal): Promise<ObjectHead | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ChecksumMode: "ENABLED" }), {
        abortSignal: signal,
      });
      return {
        sizeBytes: head.ContentLength ?? 0,
        etag: head.ETag,
        lastModified: head.LastModified,
        sha256: fullObjectSha256(head.ChecksumSHA256, head.ChecksumType),
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw storageError(err);
    }
  }

  /**
   * The bucket's objects in key order, a page (up to 1,000) at a time: memory holds one page,
   * whatever the bucket's size. `startAfter` resumes after a key.
   */
  async *listPages(bucket: string, options: { prefix?: string; startAfter?: string } = {}): AsyncGenerator<ListedObject[]> {
    const pages = paginateListObjectsV2(
      { client: this.s3, pageSize: 1000 },
      {
        Bucket: bucket,
        ...(options.prefix ? { Prefix: options.prefix } : {}),
        ...(options.startAfter ? { StartAfter: options.startAfter } : {}),
      },
    );
    try {
      for await (const page of pages) {
        yield (page.Contents ?? []).flatMap((o) =>
          o.Key ? [{ key: o.Key, etag: o.ETag, sizeBytes: o.Size ?? 0, lastModified: o.LastModified }] : [],
        );
      }
    } catch (err) {
      throw storageError(err);
    }
  }

  /** Whether the bucket answers within `timeoutMs` (readiness: a hanging store is not ready). */
  async reachable(bucket: string, timeoutMs: number): Promise<boolean> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
      return true;
    } catch {
      return false;
    }
  }

  /** Streams the object to `toPath`, hashing as it goes; memory use does not grow with size. */
  async download(ref: ObjectRef, toPath: string, maxBytes: number, signal?: AbortSignal, etag?: string): Promise<DownloadedObject> {
    try {
      const version = etag ? { IfMatch: `"${etag.replace(/"/g, "")}"` } : {};
      const response = await this.s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...version }), { abortSignal: signal });
      if ((response.ContentLength ?? 0) > maxBytes) {
        throw new InspectorError("OBJECT_TOO_LARGE", `The object is ${response.ContentLength} bytes; the limit is ${maxBytes}.`);
      }
      const hash = createHash("sha256");
      const counter = { bytes: 0 };
      await pipeline(response.Body as Readable, hashingLimiter(maxBytes, hash, counter), createWriteStream(toPath, { mode: 0o600 }), {
        signal,
      });
      return { sizeBytes: counter.bytes, sha256: hash.digest("hex") };
    } catch (err) {
      throw storageError(err);
    }
  }
}
