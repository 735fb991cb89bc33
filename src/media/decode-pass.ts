import { requireCleanExit, type ProcessGuard } from "./process-guard.js";
import { decodePassArgs } from "./ffmpeg-args.js";

export interface FrameScore {
  /**
   * Seconds from the video's first frame. ffmpeg shifts output times to start at 0 (no
   * -copyts), whatever start time the container declares (MPEG-TS often starts at 1.4 s).
   */
  readonly ptsTime: number;
  readonly score: number;
}

/**
 * Incremental parser for `metadata=print` output: a "pts_time:T" line followed by a
 * "lavfi.scene_score=S" line for each frame. Pure; feed it lines, it returns frames.
 */
export class SceneScoreParser {
  private pendingPts: number | undefined;

  push(line: string): FrameScore | undefined {
    const pts = /pts_time:(-?[0-9.]+(?:e-?\d+)?)/.exec(line);
    if (pts?.[1] !== undefined) {
      this.pendingPts = Number(pts[1]);
      return undefined;
    }
    const score = /lavfi\.scene_score=([0-9.]+(?:e-?\d+)?)/.exec(line);
    if (score?.[1] !== undefined && this.pendingPts !== undefined) {
      const frame = { ptsTime: this.pendingPts, score: Number(score[1]) };
      this.pendingPts = undefined;
      return frame;
    }
    return undefined;
  }
}

/** Cuts a raw byte stream into fixed-size frames, whatever the chunk boundaries. Pure. */
export class FrameChunker {
  private readonly frame: Uint8Array;
  private filled = 0;

  constructor(frameBytes: number) {
    this.frame = new Uint8Array(frameBytes);
  }

  /** Calls `onFrame` for each completed frame; the array is reused, so copy what you keep. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.frame.length - this.filled, chunk.length - offset);
      this.frame.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frame.length) {
        onFrame(this.frame);
        this.filled = 0;
      }
    }
  }
}

/**
 * One of the decodes a video is split into. ffmpeg decodes H.264 on this kind of machine
 * with little more than one core busy, so two processes on two halves finish sooner than one
 * on the whole. Each segment but the first starts SEGMENT_WARMUP_SEC early: scene scores
 * compare a frame with the one before, and samples are smoothed over the past 0.5 s, so the
 * warm-up makes its first kept frames what a single pass would have produced.
 */
export interface DecodeSegment {
  /** Where ffmpeg starts decoding, seconds from the stream's start (on the sample grid). */
  readonly seekSec: number;
  /** How long it decodes; undefined: to the end. */
  readonly lengthSec: number | undefined;
  /** Its own range starts here; what comes before is warm-up and dropped. */
  readonly keepFromSec: number;
  /** Index of its first kept sample in the whole video's signature. */
  readonly firstSample: number;
  /** Its own samples that are warm-up. */
  readonly warmupSamples: number;
  /** Samples it contributes; undefined: all that remain. */
  readonly sampleCount: number | undefined;
}

export const SEGMENT_WARMUP_SEC = 1;
/**
 * Later segments run at the lowest priority (niceness 19): the first then decodes nearly as
 * fast as it would alone, so the early duplicate verdicts, which follow the samples from the
 * start, are not delayed; the others take the CPU it leaves idle.
 */
const LATER_SEGMENT_NICENESS = 19;
/** Shorter stretches are not split off: a second process would cost more than it saves. */
export const MIN_SEGMENT_SEC = 30;

/** Splits a video into up to `maxSegments` parallel decodes of at least MIN_SEGMENT_SEC. Pure. */
export function planSegments(durationSec: number, maxSegments: number, sampleRate: number): DecodeSegment[] {
  const count = Math.max(1, Math.min(maxSegments, Math.floor(durationSec / MIN_SEGMENT_SEC)));
  const boundarySample = (k: number) => Math.round(((k * durationSec) / count) * sampleRate);
  return Array.from({ length: count }, (_, k) => {
    const first = boundarySample(k);
    const end = k === count - 1 ? undefined : boundarySample(k + 1);
    const warmupSamples = k === 0 ? 0 : Math.min(first, SEGMENT_WARMUP_SEC * sampleRate);
    const seekSample = first - warmupSamples;
    return {
      seekSec: seekSample / sampleRate,
      lengthSec: end === undefined ? undefined : (end - seekSample) / sampleRate,
      keepFromSec: first / sampleRate,
      firstSample: first,
      warmupSamples,
      sampleCount: end === undefined ? undefined : end - first,
    };
  });
}

export interface DecodePassRun {
  readonly guard: ProcessGuard;
  readonly ffmpegPath: string;
  readonly filePath: string;
  readonly timeoutMs: number;
  readonly sampleRate: number;
  readonly frameSize: number;
  /** Decoder threads for each process; 0 lets ffmpeg choose. */
  readonly decoderThreads: number;
  /** The video's duration (from the probe) and the most processes to split it into. */
  readonly durationSec: number;
  readonly maxSegments: number;
  /** Every frame's score, in time order. */
  readonly onFrameScore: (frame: FrameScore) => void;
  /**
   * The n-th sampled grey frame (n / sampleRate seconds into the stream). With more than one
   * segment, samples arrive out of order; each index arrives once.
   */
  readonly onSample: (index: number, gray: Uint8Array) => void;
  readonly signal?: AbortSignal;
}

/**
 * Decodes the video once, in parallel segments: scene scores of every frame, and grey
 * samples for hashing. The first segment's scores are passed on as they come; the others'
 * are held (two numbers a frame) and passed on in order once all segments are done.
 */
export async function runDecodePass(run: DecodePassRun): Promise<void> {
  const segments = planSegments(run.durationSec, run.maxSegments, run.sampleRate);
  const siblings = new AbortController();
  const signal = run.signal ? AbortSignal.any([run.signal, siblings.signal]) : siblings.signal;
  const held = segments.map(() => [] as number[]);
  let firstError: unknown;
  await Promise.allSettled(
    segments.map((segment, k) =>
      runSegment(run, segment, signal, k === 0 ? run.onFrameScore : (frame) => held[k]!.push(frame.ptsTime, frame.score)).catch((err: unknown) => {
        firstError ??= err;
        siblings.abort();
      }),
    ),
  );
  if (firstError !== undefined) throw firstError;
  for (const scores of held) for (let i = 0; i < scores.length; i += 2) run.onFrameScore({ ptsTime: scores[i]!, score: scores[i + 1]! });
}

async function runSegment(run: DecodePassRun, segment: DecodeSegment, signal: AbortSignal, onFrameScore: (frame: FrameScore) => void): Promise<void> {
  const parser = new SceneScoreParser();
  const chunker = new FrameChunker(run.frameSize * run.frameSize);
  const endSec = segment.sampleCount === undefined ? Infinity : segment.keepFromSec + segment.sampleCount / run.sampleRate;
  const lastSample = segment.sampleCount === undefined ? Infinity : segment.warmupSamples + segment.sampleCount;
  let localSample = 0;
  const result = await run.guard.run({
    command: run.ffmpegPath,
    args: decodePassArgs({
      inputPath: run.filePath,
      sampleRate: run.sampleRate,
      frameSize: run.frameSize,
      decoderThreads: run.decoderThreads,
      seekSec: segment.seekSec,
      lengthSec: segment.lengthSec,
    }),
    timeoutMs: run.timeoutMs,
    signal,
    extraNiceness: segment.firstSample === 0 ? 0 : LATER_SEGMENT_NICENESS,
    onStdoutChunk: (chunk) =>
      chunker.push(chunk, (gray) => {
        if (localSample >= segment.warmupSamples && localSample < lastSample) run.onSample(segment.firstSample + localSample - segment.warmupSamples, gray);
        localSample += 1;
      }),
    onStderrLine: (line) => {
      const frame = parser.push(line);
      if (!frame) return;
      // Output times start at 0 at the seek point.
      const ptsTime = frame.ptsTime + segment.seekSec;
      const warmingUp = segment.warmupSamples > 0 && ptsTime < segment.keepFromSec;
      if (!warmingUp && ptsTime < endSec) onFrameScore({ ptsTime, score: frame.score });
    },
  });
  requireCleanExit(result, { what: "the decode pass", timeoutMs: run.timeoutMs });
}
