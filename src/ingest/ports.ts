import type { ErrorCode } from "../domain/errors.js";
import type { Claim } from "../domain/job.js";
import type { StoredMatch } from "../domain/match.js";
import type { MediaInfo } from "../domain/media-info.js";
import type { ObjectEvent } from "../domain/object-event.js";
import type { StoredFingerprint } from "../fingerprint/fingerprint-builder.js";
import type { DecodeRequest } from "../media/ffmpeg-analyzer.js";

export type { DecodeRequest };

/** The ports the ingest use case works through; src/service.ts plugs in the adapters. */

/** Jobs: a delivery claims its object's job (JobStore in production). */
export interface JobClaims {
  claim(event: ObjectEvent, messageId: string, leaseMs: number): Promise<Claim<JobLease>>;
}

/**
 * A claimed job (LeasedJob in production). Every write presents the lease's fencing token and
 * fails with LEASE_LOST once another worker has taken the job over; progress is advisory and
 * is dropped instead.
 */
export interface JobLease {
  readonly videoId: string;
  readonly videoNum: number;
  readonly jobId: string;
  /** Which start of the job this is (retries included), and whether it replaced a dead worker. */
  readonly attempt: number;
  readonly tookOver: boolean;
  /** Extends the lease; false when it is no longer this worker's. */
  renew(leaseMs: number): Promise<boolean>;
  recordHead(sizeBytes: number, etag: string | undefined): Promise<void>;
  recordContent(sizeBytes: number, sha256: string): Promise<void>;
  recordMediaInfo(info: MediaInfo): Promise<void>;
  recordProgress(progress: number): Promise<void>;
  storeFingerprint(fingerprint: StoredFingerprint): Promise<void>;
  copyAnalysis(fromVideoId: string): Promise<{ durationSec: number | null }>;
  saveMatches(matches: readonly StoredMatch[]): Promise<void>;
  /** The final matches; a whole copy of an older video joins its duplicate group (returned) and leaves the index to it. */
  saveFinalMatches(matches: readonly StoredMatch[]): Promise<{ indexed: boolean; group: string | undefined }>;
  copyMatches(fromVideoId: string): Promise<void>;
  deleteMatches(otherVideoIds: readonly string[]): Promise<void>;
  finish(): Promise<void>;
  fail(code: ErrorCode, message: string): Promise<void>;
  /** Gives the job back (`pending`); false when it was no longer this worker's. */
  release(): Promise<boolean>;
}

/** Finished videos with the same bytes (FingerprintStore in production). */
export interface IdenticalVideos {
  findIdenticalUpload(
    etag: string,
    sizeBytes: number,
    excludeVideoId: string,
  ): Promise<{ videoId: string; durationSec: number | null } | undefined>;
  findIdenticalContent(sha256: string, excludeVideoId: string): Promise<{ videoId: string } | undefined>;
}

/** ffprobe and the decode pass, run under the process guard (FfmpegAnalyzer in production). */
export interface MediaAnalyzer {
  probe(filePath: string): Promise<MediaInfo>;
  decode(request: DecodeRequest): Promise<void>;
  /** The soundtrack's fingerprint (AudioPrint's stored form); null when the file has no audio. */
  audioPrint(filePath: string, info: MediaInfo, signal: AbortSignal): Promise<Uint8Array | null>;
}
