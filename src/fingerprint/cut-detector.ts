/** One decoded frame's scene-change score (from ffmpeg's scene filter). */
export interface FrameScore {
  /**
   * Seconds from the video's first frame. ffmpeg shifts output times to start at 0 (no
   * -copyts), whatever start time the container declares (MPEG-TS often starts at 1.4 s).
   */
  readonly ptsTime: number;
  readonly score: number;
}

export interface SceneCut {
  /** Seconds from the start of the video stream. */
  readonly timeSec: number;
  readonly score: number;
}

export interface CutDetectorOptions {
  /** Scene score (0..1) from which a frame starts a new shot. */
  readonly threshold: number;
  /** Cuts closer than this are one cut (flashes and fades give bursts of high scores). */
  readonly minGapSec: number;
}

export const DEFAULT_CUT_THRESHOLD = 0.3;
export const DEFAULT_MIN_CUT_GAP_SEC = 0.5;

/**
 * Turns a stream of per-frame scene scores into scene cuts with non-maximum suppression:
 * within a burst of high scores only the strongest frame is kept. Incremental: a cut is
 * emitted as soon as no later frame can replace it, so matching can start mid-decode.
 */
export class CutDetector {
  private candidate: SceneCut | undefined;

  constructor(private readonly options: CutDetectorOptions) {}

  /** Feeds one frame; returns a cut when one became final. */
  push(frame: FrameScore): SceneCut | undefined {
    const timeSec = roundMs(frame.ptsTime);
    const { candidate } = this;
    if (candidate && timeSec - candidate.timeSec >= this.options.minGapSec) {
      this.candidate = this.startCandidate(timeSec, frame.score);
      return candidate;
    }
    if (frame.score >= this.options.threshold && timeSec > 0 && (!candidate || frame.score > candidate.score)) {
      this.candidate = { timeSec, score: frame.score };
    }
    return undefined;
  }

  /** Ends the stream; returns the last pending cut, if any. */
  flush(): SceneCut | undefined {
    const last = this.candidate;
    this.candidate = undefined;
    return last;
  }

  private startCandidate(timeSec: number, score: number): SceneCut | undefined {
    return score >= this.options.threshold ? { timeSec, score } : undefined;
  }
}

/** Convenience for whole lists (tests, benchmarks). */
export function detectCuts(frames: Iterable<FrameScore>, options: CutDetectorOptions): SceneCut[] {
  const detector = new CutDetector(options);
  const cuts: SceneCut[] = [];
  for (const frame of frames) {
    const cut = detector.push(frame);
    if (cut) cuts.push(cut);
  }
  const last = detector.flush();
  if (last) cuts.push(last);
  return cuts;
}

function roundMs(sec: number): number {
  return Math.round(sec * 1000) / 1000;
}
