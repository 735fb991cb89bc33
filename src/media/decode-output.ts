import type { FrameScore } from "../fingerprint/cut-detector.js";

/** Parsers of ffmpeg's decode-pass output (pure): scene scores from stderr, raw frames from stdout. */

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
