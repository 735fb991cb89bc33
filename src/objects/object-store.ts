import type { ObjectRef } from "../domain/object-event.js";

/** What S3 says of an object: the truth an event is checked against. */
export interface ObjectHead {
  readonly sizeBytes: number;
  readonly etag: string | undefined;
  readonly lastModified?: Date | undefined;
  /** The whole object's SHA-256 (hex), where the uploader gave S3 one (x-amz-checksum-sha256). */
  readonly sha256?: string | undefined;
}

export interface DownloadedObject {
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** The object store as the ingest and the status need it (S3ObjectStore in production). */
export interface ObjectStore {
  /** The object's metadata, or undefined when there is no such object. */
  head(ref: ObjectRef, signal?: AbortSignal): Promise<ObjectHead | undefined>;
  /**
   * Streams the object to `toPath`, hashing as it goes; memory use does not grow with size.
   * With `etag`, only that version (OBJECT_NOT_FOUND once it was replaced).
   */
  download(ref: ObjectRef, toPath: string, maxBytes: number, signal?: AbortSignal, etag?: string): Promise<DownloadedObject>;
}

/** One object of a bucket listing (ListObjectsV2). */
export interface ListedObject {
  readonly key: string;
  readonly etag: string | undefined;
  readonly sizeBytes: number;
  readonly lastModified: Date | undefined;
}
