import { requireCleanExit, type ProcessGuard } from "./process-guard.js";
import { decodePassArgs } from "./ffmpeg-args.js";
import type { FrameScore } from "../fingerprint/cut-detector.js";
import { FrameChunker, SceneScoreParser } from "./decode-output.js";
import { policyViolation, type AllowedDemuxer, type MediaPolicy } from "./media-policy.js";
import { InspectorError } from "../domain/errors.js";

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
  readonly sampleRate: number;
  readonly frameSize: number;
  /** Decoder threads for each process; 0 lets ffmpeg choose. */
  readonly decoderThreads: number;
  /**
   * The video's duration, from the probe. The first segment starts without it, so that the
   * probe and ffmpeg's start-up overlap: a rejection (the probe found no video) stops the
   * pass with that error.
   */
  readonly durationSec: Promise<number>;
  /** The time limit of each process, from the duration. */
  readonly timeoutMs: (durationSec: number) => number;
  /** The most processes to split the video into. */
  readonly maxSegments: number;
  /** Every frame's score, in time order. */
  readonly onFrameScore: (frame: FrameScore) => void;
  /**
   * The n-th sampled grey frame (n / sampleRate seconds into the stream). With more than one
   * segment, samples arrive out of order; each index arrives once.
   */
  readonly onSample: (index: number, gray: Uint8Array) => void;
  readonly signal?: AbortSignal;
  readonly policy: MediaPolicy;
  /** The demuxer the probe accepted: forced on every segment started after the probe. */
  readonly demuxer?: Promise<AllowedDemuxer | undefined>;
}

/** The first segment before the plan is known: from the start, to the end. */
const WHOLE_VIDEO: DecodeSegment = {
  seekSec: 0,
  lengthSec: undefined,
  keepFromSec: 0,
  firstSample: 0,
  warmupSamples: 0,
  sampleCount: undefined,
};

/**
 * Decodes the video once, in parallel segments: scene scores of every frame, and grey
 * samples for hashing. The first segment starts at once and runs open-ended until the
 * probe's duration gives it an end; it is stopped once it has delivered everything up to
 * it. Its scores are passed on as they come; the other segments' are held (two numbers a
 * frame) and passed on in order once all segments are done.
 */
export async function runDecodePass(run: DecodePassRun): Promise<void> {
  const siblings = new AbortController();
  const signal = run.signal ? AbortSignal.any([run.signal, siblings.signal]) : siblings.signal;
  let failure: { readonly error: unknown } | undefined;
  const settle = (work: Promise<void>) =>
    work.catch((error: unknown) => {
      failure ??= { error };
      siblings.abort();
    });
  const timeoutMs = run.durationSec.then(run.timeoutMs);
  const head = new SegmentDecode(run, WHOLE_VIDEO, run.onFrameScore);
  const headDone = settle(head.run(timeoutMs, signal));

  let durationSec: number;
  try {
    durationSec = await run.durationSec;
  } catch (err) {
    // The probe's verdict (no video, corrupt header) explains more than ffmpeg's own failure.
    siblings.abort();
    await headDone;
    throw err;
  }
  const demuxer = await run.demuxer?.catch(() => undefined);
  const [first, ...later] = planSegments(durationSec, run.maxSegments, run.sampleRate);
  // A head that already decoded past its planned end (a probe slower than the decode) does it all;
  // one that already failed gets no siblings.
  const rest = failure === undefined && first && head.endWith(first) ? later : [];
  const held = rest.map(() => [] as number[]);
  await Promise.all([
    headDone,
    ...rest.map((segment, k) =>
      settle(new SegmentDecode(run, segment, (frame) => held[k]!.push(frame.ptsTime, frame.score)).run(timeoutMs, signal, demuxer)),
    ),
  ]);
  if (failure !== undefined) throw failure.error;
  for (const scores of held) for (let i = 0; i < scores.length; i += 2) run.onFrameScore({ ptsTime: scores[i]!, score: scores[i + 1]! });
}

/** Where a segment's own range ends: the time of its first score past it, and its own sample count (warm-up included). */
interface SegmentEnd {
  readonly sec: number;
  readonly sample: number;
}

function segmentEnd(segment: DecodeSegment, sampleRate: number): SegmentEnd {
  if (segment.sampleCount === undefined) return { sec: Infinity, sample: Infinity };
  return { sec: segment.keepFromSec + segment.sampleCount / sampleRate, sample: segment.warmupSamples + segment.sampleCount };
}

/** One ffmpeg process of the pass: passes on what falls in its segment, drops the rest. */
class SegmentDecode {
  private readonly parser = new SceneScoreParser();
  private readonly chunker: FrameChunker;
  private readonly enough = new AbortController();
  /** Aborted when ffmpeg reports a frame over the pixel cap: a stream may grow mid-file. */
  private readonly oversized = new AbortController();
  /** Its own samples (warm-up included) and the time of its last score. */
  private samples = 0;
  private lastScoreSec = -Infinity;
  private end: SegmentEnd;

  constructor(
    private readonly pass: DecodePassRun,
    private segment: DecodeSegment,
    private readonly onFrameScore: (frame: FrameScore) => void,
  ) {
    this.chunker = new FrameChunker(pass.frameSize * pass.frameSize);
    this.end = segmentEnd(segment, pass.sampleRate);
  }

  /** Gives a running open-ended segment its end; false if it has already passed it. */
  endWith(segment: DecodeSegment): boolean {
    const end = segmentEnd(segment, this.pass.sampleRate);
    if (this.lastScoreSec >= end.sec || this.samples > end.sample) return false;
    this.segment = segment;
    this.end = end;
    this.stopIfComplete();
    return true;
  }

  async run(timeoutMs: Promise<number>, signal: AbortSignal, demuxer?: AllowedDemuxer): Promise<void> {
    const { pass, segment } = this;
    const result = await pass.guard.run({
      command: pass.ffmpegPath,
      args: decodePassArgs({
        inputPath: pass.filePath,
        sampleRate: pass.sampleRate,
        frameSize: pass.frameSize,
        decoderThreads: pass.decoderThreads,
        seekSec: segment.seekSec,
        lengthSec: segment.lengthSec,
        policy: pass.policy,
        demuxer,
      }),
      timeoutMs,
      signal: AbortSignal.any([signal, this.oversized.signal]),
      enough: this.enough.signal,
      onStdoutChunk: (chunk) => this.chunker.push(chunk, (gray) => this.takeSample(gray)),
      onStderrLine: (line) => {
        if (policyViolation(line) === "pixels") this.oversized.abort();
        const frame = this.parser.push(line);
        if (frame) this.takeScore(frame);
      },
    });
    if (this.oversized.signal.aborted) {
      throw new InspectorError("MEDIA_LIMIT_EXCEEDED", `A frame of the video is larger than the limit of ${pass.policy.maxPixels} pixels.`);
    }
    requireCleanExit(result, { what: "the decode pass" });
  }

  private takeSample(gray: Uint8Array): void {
    const { segment } = this;
    if (this.samples >= segment.warmupSamples && this.samples < this.end.sample)
      this.pass.onSample(segment.firstSample + this.samples - segment.warmupSamples, gray);
    this.samples += 1;
    this.stopIfComplete();
  }

  private takeScore(frame: FrameScore): void {
    // Output times start at 0 at the seek point.
    const ptsTime = frame.ptsTime + this.segment.seekSec;
    this.lastScoreSec = ptsTime;
    const warmingUp = this.segment.warmupSamples > 0 && ptsTime < this.segment.keepFromSec;
    if (!warmingUp && ptsTime < this.end.sec) this.onFrameScore({ ptsTime, score: frame.score });
    this.stopIfComplete();
  }

  /** An open-ended process that has delivered its whole segment is stopped: the rest is another's. */
  private stopIfComplete(): void {
    if (this.samples >= this.end.sample && this.lastScoreSec >= this.end.sec) this.enough.abort();
  }
}
