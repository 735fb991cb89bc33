/** In-memory stand-ins for the ingest use case's ports: no database, no S3, no ffmpeg. */
import { pino } from "pino";
import { InspectorError, LeaseLostError, type ErrorCode } from "../../../src/domain/errors.js";
import type { Claim } from "../../../src/domain/job.js";
import type { StoredMatch } from "../../../src/domain/match.js";
import type { MediaInfo } from "../../../src/domain/media-info.js";
import type { ObjectEvent } from "../../../src/domain/object-event.js";
import { FingerprintBuilder, storedFingerprint, type StoredFingerprint } from "../../../src/fingerprint/fingerprint-builder.js";
import { FRAME_SIZE } from "../../../src/fingerprint/frame-hash.js";
import { SAMPLE_RATE, type Signature } from "../../../src/fingerprint/signature.js";
import type { IngestDeps } from "../../../src/ingest/analyze-object.js";
import type { DecodeRequest, JobClaims, JobLease, MediaAnalyzer } from "../../../src/ingest/ports.js";
import { InMemoryIndex } from "../../../src/match/memory-index.js";
import type { ObjectStore } from "../../../src/objects/object-store.js";

export const silent = pino({ level: "silent" });

/** A held job that records every write; `held` false makes every fenced write fail LEASE_LOST. */
export class FakeJob implements JobLease {
  readonly jobId = "job-1";
  readonly videoId = "video-new";
  readonly videoNum = 99;
  readonly attempt = 1;
  readonly tookOver = false;
  held = true;
  readonly calls: string[] = [];
  readonly matches: StoredMatch[] = [];
  fingerprint: StoredFingerprint | undefined;
  ended: { status: "done" } | { status: "failed"; code: ErrorCode; message: string } | undefined;
  released = false;
  /** Samples the decode had delivered when the first match was saved. */
  samplesAtFirstMatch: number | undefined;

  constructor(private readonly decodedSamples: () => number = () => 0) {}

  private fenced(call: string): void {
    this.calls.push(call);
    if (!this.held) throw new LeaseLostError(this.jobId);
  }
  async renew(): Promise<boolean> {
    return this.held;
  }
  async recordHead(): Promise<void> {
    this.fenced("recordHead");
  }
  async recordContent(): Promise<void> {
    this.fenced("recordContent");
  }
  async recordMediaInfo(): Promise<void> {
    this.fenced("recordMediaInfo");
  }
  async recordProgress(): Promise<void> {}
  async storeFingerprint(fingerprint: StoredFingerprint): Promise<void> {
    this.fenced("storeFingerprint");
    this.fingerprint = fingerprint;
  }
  async copyAnalysis(): Promise<{ durationSec: number | null }> {
    this.fenced("copyAnalysis");
    return { durationSec: 30 };
  }
  async saveMatches(matches: readonly StoredMatch[]): Promise<void> {
    this.fenced("saveMatches");
    if (matches.length > 0) this.samplesAtFirstMatch ??= this.decodedSamples();
    this.matches.push(...matches);
  }
  async saveFinalMatches(matches: readonly StoredMatch[]): Promise<{ indexed: boolean; group: string | undefined }> {
    this.fenced("saveFinalMatches");
    this.matches.push(...matches);
    return { indexed: true, group: undefined };
  }
  async copyMatches(): Promise<void> {
    this.fenced("copyMatches");
  }
  async deleteMatches(): Promise<void> {
    this.fenced("deleteMatches");
  }
  async finish(): Promise<void> {
    this.fenced("finish");
    this.ended = { status: "done" };
  }
  async fail(code: ErrorCode, message: string): Promise<void> {
    this.fenced("fail");
    this.ended = { status: "failed", code, message };
  }
  async release(): Promise<boolean> {
    this.released = true;
    return this.held;
  }
}

/** Hands out one claim outcome. */
export class FakeJobs implements JobClaims {
  readonly events: ObjectEvent[] = [];
  constructor(private readonly outcome: Claim<JobLease>) {}
  async claim(event: ObjectEvent): Promise<Claim<JobLease>> {
    this.events.push(event);
    return this.outcome;
  }
}

/** Stored videos' signatures, searched as the database's index would (FrameIndex). */
/** A picture per scene (2 s each), smooth enough to hash like footage. */
export function grayFrames(durationSec: number, seed = 1): Uint8Array[] {
  return Array.from({ length: durationSec * SAMPLE_RATE }, (_, i) => {
    const scene = Math.floor(i / (2 * SAMPLE_RATE)) + seed * 100;
    const fx = 0.05 + ((scene * 37) % 11) * 0.02;
    const fy = 0.04 + ((scene * 53) % 13) * 0.02;
    const frame = new Uint8Array(FRAME_SIZE * FRAME_SIZE);
    for (let y = 0; y < FRAME_SIZE; y += 1)
      for (let x = 0; x < FRAME_SIZE; x += 1)
        frame[y * FRAME_SIZE + x] = 128 + 90 * Math.sin(fx * x + scene) * Math.cos(fy * y + scene * 0.7);
    return frame;
  });
}

export function signatureOf(frames: readonly Uint8Array[]): Signature {
  const builder = new FingerprintBuilder();
  frames.forEach((frame, i) => builder.addSample(i, frame));
  return builder.signature();
}

export const fingerprintOf = (frames: readonly Uint8Array[]) => storedFingerprint([], signatureOf(frames));

/** ffprobe, the decode and the audio pass: the given frames, one per macrotask, the given soundtrack, or the given failures. */
export class FakeMedia implements MediaAnalyzer {
  delivered = 0;
  constructor(
    private readonly frames: readonly Uint8Array[],
    private readonly failures: { probe?: Error; decode?: Error; audio?: Error } = {},
    private readonly soundtrack?: Uint8Array,
  ) {}
  async probe(): Promise<MediaInfo> {
    if (this.failures.probe) throw this.failures.probe;
    return {
      durationSec: this.frames.length / SAMPLE_RATE,
      codec: "h264",
      width: 640,
      height: 360,
      fps: 25,
      formatName: "mp4",
      hasAudio: this.soundtrack !== undefined,
    };
  }
  async decode(request: DecodeRequest): Promise<void> {
    await request.probed;
    for (const [i, frame] of this.frames.entries()) {
      if (request.signal.aborted) throw new InspectorError("SHUTTING_DOWN");
      if (this.failures.decode && i === 8) throw this.failures.decode;
      request.onFrameScore({ ptsTime: i / SAMPLE_RATE, score: i % 8 === 0 ? 0.9 : 0.01 });
      request.onSample(i, frame);
      this.delivered = i + 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  async audioPrint(_filePath: string, info: MediaInfo): Promise<Uint8Array | null> {
    if (this.failures.audio) throw this.failures.audio;
    return info.hasAudio ? (this.soundtrack ?? null) : null;
  }
}

export { InMemoryIndex };

/** One object in the bucket; `etag` set to that of a finished video makes it an identical upload. */
export function fakeObjects(
  head: { sizeBytes: number; etag?: string; lastModified?: Date; sha256?: string } | undefined,
  download: () => Promise<{ sizeBytes: number; sha256: string }> = async () => ({ sizeBytes: 1000, sha256: "a".repeat(64) }),
): ObjectStore {
  return { head: async () => (head ? { etag: undefined, ...head } : undefined), download };
}

export function ingestDeps(parts: Partial<IngestDeps> & Pick<IngestDeps, "jobs" | "objects" | "media">): IngestDeps {
  const index = new InMemoryIndex();
  return {
    identical: { findIdenticalUpload: async () => undefined, findIdenticalContent: async () => undefined },
    index,
    maxObjectBytes: 10_000_000,
    storeCentreStrips: true,
    tmpDir: process.env.TMPDIR ?? "/tmp",
    leaseMs: 60_000,
    log: silent,
    ...parts,
  };
}
