import type { FrameScore } from "../media/decode-pass.js";
import { CutDetector, DEFAULT_CUT_THRESHOLD, DEFAULT_MIN_CUT_GAP_SEC, type SceneCut } from "./cut-detector.js";
import { hashFrame, type Hash64 } from "./frame-hash.js";

/**
 * Accumulates a fingerprint while the decode pass streams: scene cuts from the per-frame
 * scores, and the visual signature from the sampled grey frames. Pure apart from the
 * memory it holds: 8 bytes per sample, whatever the video's resolution.
 */
export class FingerprintBuilder {
  readonly cuts: SceneCut[] = [];
  private readonly hashes: (Hash64 | undefined)[] = [];
  private readonly detector: CutDetector;

  constructor(startTimeSec: number) {
    this.detector = new CutDetector({ threshold: DEFAULT_CUT_THRESHOLD, minGapSec: DEFAULT_MIN_CUT_GAP_SEC, startTimeSec });
  }

  addFrameScore(frame: FrameScore): void {
    const cut = this.detector.push(frame);
    if (cut) this.cuts.push(cut);
  }

  addSample(index: number, gray: Uint8Array): void {
    this.hashes[index] = hashFrame(gray);
  }

  get sampleCount(): number {
    return this.hashes.length;
  }

  /** The signature so far (a copy: later samples do not change it). */
  signature(): (Hash64 | undefined)[] {
    return Array.from(this.hashes);
  }

  finish(): void {
    const last = this.detector.flush();
    if (last) this.cuts.push(last);
  }
}
