import { requireCleanExit, type ProcessGuard } from "./process-guard.js";
import { decodePassArgs } from "./ffmpeg-args.js";

export interface FrameScore {
  /** Seconds from the start of the stream (before start-time normalisation). */
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

export interface DecodePassRun {
  readonly guard: ProcessGuard;
  readonly ffmpegPath: string;
  readonly filePath: string;
  readonly timeoutMs: number;
  readonly sampleRate: number;
  readonly frameSize: number;
  /** Decoder threads for this run; 0 lets ffmpeg choose. */
  readonly decoderThreads: number;
  readonly onFrameScore: (frame: FrameScore) => void;
  /** The n-th sampled grey frame (n / sampleRate seconds into the stream). */
  readonly onSample: (index: number, gray: Uint8Array) => void;
  readonly signal?: AbortSignal;
}

/** Decodes the video once: scene scores of every frame, and grey samples for hashing. */
export async function runDecodePass(run: DecodePassRun): Promise<void> {
  const parser = new SceneScoreParser();
  const chunker = new FrameChunker(run.frameSize * run.frameSize);
  let sampleIndex = 0;
  const result = await run.guard.run({
    command: run.ffmpegPath,
    args: decodePassArgs({ inputPath: run.filePath, sampleRate: run.sampleRate, frameSize: run.frameSize, decoderThreads: run.decoderThreads }),
    timeoutMs: run.timeoutMs,
    signal: run.signal,
    onStdoutChunk: (chunk) => chunker.push(chunk, (gray) => run.onSample(sampleIndex++, gray)),
    onStderrLine: (line) => {
      const frame = parser.push(line);
      if (frame) run.onFrameScore(frame);
    },
  });
  requireCleanExit(result, { what: "the decode pass", timeoutMs: run.timeoutMs });
}
