import { encodeAudioPrint, type AudioPrint } from "./audio-print.js";
import { CutDetector, DEFAULT_CUT_THRESHOLD, DEFAULT_MIN_CUT_GAP_SEC, type FrameScore, type SceneCut } from "./cut-detector.js";
import { FRAME_SIZE, hashFrames, hashRegion, type Hash64, type Rect } from "./frame-hash.js";
import {
  cornerInsetRegion,
  INSET_SAMPLES,
  MAX_INSET_SAMPLES,
  pictureRegions,
  REGION_SAMPLES,
  wantsCornerInset,
  type PictureRegion,
} from "./picture-region.js";
import type { FrameRegion } from "../domain/match.js";
import { CROP_SHIFTS, hashCentreStrip, hashShifted, searchedAsCrop, storesCentreStrip } from "./centre-strip.js";
import { videoIndexEntries } from "./stored-rows.js";
import { encodeSignature, SAMPLE_RATE, type IndexEntry, type Signature } from "./signature.js";

/** A complete fingerprint as it is stored: cuts, the encoded signatures and their index keys. */
export interface StoredFingerprint {
  readonly cuts: readonly SceneCut[];
  readonly signature: Uint8Array;
  /** The centre strip's signature (a landscape video; see centre-strip.ts); null: none. */
  readonly stripSignature: Uint8Array | null;
  readonly sampleRate: number;
  /** The picture's keys, the centre strip's and the soundtrack's (videoIndexEntries). */
  readonly entries: readonly IndexEntry[];
  /** The soundtrack's Chromaprint items (AudioPrint's stored form); null: no audio. */
  readonly audioPrint: Uint8Array | null;
}

/** What is stored of a signature, its cuts, the soundtrack's print and the centre strip's signature. */
export function storedFingerprint(
  cuts: readonly SceneCut[],
  signature: Signature,
  audioPrint: AudioPrint | null = null,
  stripSignature: Signature | null = null,
): StoredFingerprint {
  return {
    cuts,
    signature: encodeSignature(signature),
    stripSignature: stripSignature && encodeSignature(stripSignature),
    sampleRate: SAMPLE_RATE,
    entries: videoIndexEntries(signature, stripSignature, audioPrint),
    audioPrint: audioPrint && encodeAudioPrint(audioPrint),
  };
}

/** The signatures a video is searched by (FingerprintBuilder.searched). */
export interface SearchedSignatures {
  readonly signature: Signature;
  /** The mirror image's (flipped copies). */
  readonly mirrored: Signature;
  /** Those of the regions of the frame another picture may fill; `stillAround`: the rest of the frame stays still (PictureRegion). */
  readonly regions: readonly { readonly region: FrameRegion; readonly stillAround: boolean; readonly signature: Signature }[];
  /** A portrait frame's picture shifted by each of CROP_SHIFTS (a crop of a landscape picture, off centre); none: not searched as a crop. */
  readonly crops?: readonly { readonly shift: number; readonly signature: Signature }[];
}

/**
 * Accumulates a fingerprint while the decode pass streams: scene cuts from the per-frame
 * scores, and the visual signature from the sampled grey frames, with the signatures searched
 * but never stored: the mirror image's (flipped copies) and those of the regions of the frame
 * another picture may fill (PictureRegion: insets, caption layouts, vertical reposts). The
 * regions are chosen once REGION_SAMPLES samples and the frame's aspect are known, and a corner
 * inset over moving footage once INSET_SAMPLES are (where it is still worth looking for), again
 * every INSET_SAMPLES while none shows, up to MAX_INSET_SAMPLES; until then the frames are kept
 * (4 KB each). Pure apart from the memory it holds: then 8 bytes per
 * sample and view, whatever the video's resolution.
 */
export class FingerprintBuilder {
  readonly cuts: SceneCut[] = [];
  private readonly hashes: (Hash64 | undefined)[] = [];
  private readonly mirroredHashes: (Hash64 | undefined)[] = [];
  /** Which samples have arrived: parallel decode segments deliver them out of order. */
  private readonly arrived: boolean[] = [];
  private prefix = 0;
  private aspect: number | undefined;
  /** Frames kept until the regions are chosen, by sample index. */
  private kept: Map<number, Uint8Array> | undefined = new Map();
  private regionsChosen = false;
  /** How many samples the next look for a corner inset takes. */
  private nextInsetLook = INSET_SAMPLES;
  private regions: { rect: Rect; stillAround: boolean; hashes: (Hash64 | undefined)[] }[] = [];
  /** A landscape frame's centre strip (stored), or a portrait frame's shifted pictures (searched as a crop). */
  private strip: (Hash64 | undefined)[] | undefined;
  private crops: { shift: number; hashes: (Hash64 | undefined)[] }[] = [];
  private readonly detector = new CutDetector({ threshold: DEFAULT_CUT_THRESHOLD, minGapSec: DEFAULT_MIN_CUT_GAP_SEC });

  /** `storeCentreStrip` false (INDEX_CENTRE_STRIPS off): a landscape frame's strip is not hashed, since it would not be kept. */
  constructor(private readonly options: { readonly storeCentreStrip: boolean } = { storeCentreStrip: true }) {}

  addFrameScore(frame: FrameScore): void {
    const cut = this.detector.push(frame);
    if (cut) this.cuts.push(cut);
  }

  /** The frame's width over its height (from the probe): portrait frames get a band searched. */
  setFrameAspect(aspect: number): void {
    this.aspect = aspect;
    if (this.options.storeCentreStrip && storesCentreStrip(aspect)) this.strip = [];
    if (searchedAsCrop(aspect)) this.crops = CROP_SHIFTS.map((shift) => ({ shift, hashes: [] }));
    for (const [index, gray] of this.kept ?? []) this.hashAspectViews(index, gray);
    this.chooseRegionsWhenReady();
  }

  addSample(index: number, gray: Uint8Array): void {
    const hashes = hashFrames(gray);
    this.hashes[index] = hashes?.hash;
    this.mirroredHashes[index] = hashes?.mirrored;
    this.arrived[index] = true;
    while (this.arrived[this.prefix]) this.prefix += 1;
    if (this.kept) this.kept.set(index, gray.slice());
    for (const region of this.regions) region.hashes[index] = hashRegion(gray, region.rect);
    if (this.aspect !== undefined) this.hashAspectViews(index, gray);
    this.chooseRegionsWhenReady();
  }

  /** The views the frame's aspect calls for: its centre strip, or its picture shifted (a crop). */
  private hashAspectViews(index: number, gray: Uint8Array): void {
    if (this.strip) this.strip[index] = hashCentreStrip(gray, this.aspect!);
    for (const crop of this.crops) crop.hashes[index] = hashShifted(gray, crop.shift);
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

  /** The centre strip's signature so far (a landscape frame), stored beside the picture's; null: none. */
  stripSignature(): (Hash64 | undefined)[] | null {
    return this.strip ? Array.from(this.strip.slice(0, this.prefix)) : null;
  }

  /** Every signature the video is searched by, so far. */
  searched(): SearchedSignatures {
    return {
      signature: this.signature(),
      mirrored: this.mirroredSignature(),
      regions: this.regionSignatures(),
      crops: this.crops.map(({ shift, hashes }) => ({ shift, signature: Array.from(hashes.slice(0, this.prefix)) })),
    };
  }

  /** Each region searched, as a share of the frame (x0, y0, x1, y1), with its signature so far. */
  regionSignatures(): { region: FrameRegion; stillAround: boolean; signature: (Hash64 | undefined)[] }[] {
    return this.regions.map(({ rect, stillAround, hashes }) => ({
      region: [rect.x0 / FRAME_SIZE, rect.y0 / FRAME_SIZE, rect.x1 / FRAME_SIZE, rect.y1 / FRAME_SIZE],
      stillAround,
      signature: Array.from(hashes.slice(0, this.prefix)),
    }));
  }

  finish(): void {
    const last = this.detector.flush();
    if (last) this.cuts.push(last);
    this.chooseRegions();
    this.chooseCornerInset();
    this.kept = undefined;
  }

  private chooseRegionsWhenReady(): void {
    if (!this.kept || this.aspect === undefined) return;
    if (!this.regionsChosen && this.prefix >= REGION_SAMPLES) this.chooseRegions();
    if (this.regionsChosen && this.prefix >= this.nextInsetLook) this.chooseCornerInset();
  }

  private chooseRegions(): void {
    if (!this.kept || this.regionsChosen) return;
    this.regionsChosen = true;
    for (const region of pictureRegions(this.firstKept(REGION_SAMPLES), this.aspect)) this.addRegion(region);
    if (!wantsCornerInset(this.aspect, this.regions)) this.kept = undefined;
  }

  /** A corner inset from the samples so far; the frames are let go once one is found or the last look is taken. */
  private chooseCornerInset(): void {
    if (!this.kept) return;
    const inset = cornerInsetRegion(this.firstKept(this.nextInsetLook), this.regions);
    if (inset) this.addRegion(inset);
    this.nextInsetLook += INSET_SAMPLES;
    if (inset || this.nextInsetLook > MAX_INSET_SAMPLES) this.kept = undefined;
  }

  private firstKept(count: number): Uint8Array[] {
    return Array.from({ length: Math.min(this.prefix, count) }, (_, i) => this.kept!.get(i)!);
  }

  /** A region searched from now on, its pictures hashed from every frame kept so far. */
  private addRegion({ rect, stillAround }: PictureRegion): void {
    const hashes: (Hash64 | undefined)[] = [];
    for (const [index, gray] of this.kept ?? []) hashes[index] = hashRegion(gray, rect);
    this.regions.push({ rect, stillAround, hashes });
  }
}
