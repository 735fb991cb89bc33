import { CutDetector, DEFAULT_CUT_THRESHOLD, DEFAULT_MIN_CUT_GAP_SEC, type FrameScore, type SceneCut } from "./cut-detector.js";
import { hashFrames, type Hash64 } from "./frame-hash.js";
import { encodeSignature, indexEntries, SAMPLE_RATE, type IndexEntry, type Signature } from "./signature.js";

/** A complete fingerprint as it is stored: cuts, the encoded signature and its index keys. */
export interface StoredFingerprint {
  readonly cuts: readonly SceneCut[];
  readonly signature: Uint8Array;
  readonly sampleRate: number;
  readonly entries: readonly IndexEntry[];
}

/** What is stored of a signature and its cuts. */
export function storedFingerprint(cuts: readonly SceneCut[], signature: Signature): StoredFingerprint {
  return { cuts, signature: encodeSignature(signature), sampleRate: SAMPLE_RATE, entries: indexEntries(signature) };
}

/**
 * Accumulates a fingerprint while the decode pass streams: scene cuts from the per-frame
 * scores, and the visual signature from the sampled grey frames, with the signature its
 * mirror image would have (searched for flipped copies, never stored). Pure apart from the
 * memory it holds: 16 bytes per sample, whatever the video's resolution.
 */
export class FingerprintBuilder {
  readonly cuts: SceneCut[] = [];
  private readonly hashes: (Hash64 | undefined)[] = [];
  private readonly mirroredHashes: (Hash64 | undefined)[] = [];
  /** Which samples have arrived: parallel decode segments deliver them out of order. */
  private readonly arrived: boolean[] = [];
  private prefix = 0;
  private readonly detector = new CutDetector({ threshold: DEFAULT_CUT_THRESHOLD, minGapSec: DEFAULT_MIN_CUT_GAP_SEC });

  addFrameScore(frame: FrameScore): void {
    const cut = this.detector.push(frame);
    if (cut) this.cuts.push(cut);
  }

  addSample(index: number, gray: Uint8Array): void {
    const hashes = hashFrames(gray);
    this.hashes[index] = hashes?.hash;
    this.mirroredHashes[index] = hashes?.mirrored;
    this.arrived[index] = true;
    while (this.arrived[this.prefix]) this.prefix += 1;
  }

  /** Samples from the start with none missing: how much of the video is analysed so far. */
  get sampleCount(): number {
    return this.prefix;
  }

  /** The signature so far, up to the first missing sample (a copy: later samples do not change it). */
  signature(): (Hash64 | undefined)[] {
    return Array.from(this.hashes.slice(0, this.prefix));
  }

  /** The signature of the mirror image so far (as `signature`, each picture flipped left to right). */
  mirroredSignature(): (Hash64 | undefined)[] {
    return Array.from(this.mirroredHashes.slice(0, this.prefix));
  }

  finish(): void {
    const last = this.detector.flush();
    if (last) this.cuts.push(last);
  }
}
