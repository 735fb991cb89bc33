import { requireCleanExit, type ProcessGuard } from "./process-guard.js";
import { sceneScoreArgs } from "./ffmpeg-args.js";

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

export interface SceneScanOptions {
  readonly guard: ProcessGuard;
  readonly ffmpegPath: string;
  readonly filePath: string;
  readonly timeoutMs: number;
  readonly onFrame: (frame: FrameScore) => void;
  readonly signal?: AbortSignal;
}

/** Decodes the video once and streams every frame's scene score to `onFrame`. */
export async function scanSceneScores(options: SceneScanOptions): Promise<void> {
  const parser = new SceneScoreParser();
  const result = await options.guard.run({
    command: options.ffmpegPath,
    args: sceneScoreArgs(options.filePath),
    timeoutMs: options.timeoutMs,
    maxStdoutBytes: 0,
    signal: options.signal,
    onStderrLine: (line) => {
      const frame = parser.push(line);
      if (frame) options.onFrame(frame);
    },
  });
  requireCleanExit(result, { what: "scene detection", timeoutMs: options.timeoutMs });
}
