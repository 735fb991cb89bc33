/**
 * The soundtrack as a second signal: Chromaprint's fingerprint of the first audio stream
 * (ffmpeg's `chromaprint` muxer, raw: one 32-bit item per AUDIO_ITEM_SEC, each bit a
 * comparison of pitch-class energies around that moment). Pure.
 *
 * Audio never makes a match by itself: music beds, silence, hum and tones are shared by
 * unrelated videos. It confirms footage the picture found, and it proposes candidates the
 * picture may not (audioIndexEntries), which the picture must then verify. Where the sound
 * does not change, the items do not either, and such items are no evidence either way.
 */

import { popcount32 } from "./frame-hash.js";
import { SAMPLE_RATE, type IndexEntry } from "./signature.js";

/** Chromaprint's default algorithm: an item every 4096 / 3 samples at 11,025 Hz. */
export const AUDIO_ITEM_SEC = 4096 / 3 / 11025;
/** An item at least this many bits from the one before marks a change in the sound. */
const CHANGE_BITS = 3;
/** Two items of the same sound, re-encoded, differ in few bits; unrelated ones in about 16. */
const SAME_SOUND_BITS = 8;
/** Changing items compared at the alignment before the soundtrack counts as evidence (about 2 s of changes). */
const MIN_COMPARED = 16;
/** The share of those that must agree for the soundtrack to confirm the alignment. */
const MIN_AGREEING = 0.5;

export type AudioPrint = Uint32Array;

/** What the soundtracks say about footage the picture found shared. */
export type AudioVerdict = "agrees" | "differs" | "no-evidence";

/** The stored form: the items as little-endian 32-bit words (what the muxer writes). */
export function decodeAudioPrint(bytes: Uint8Array): AudioPrint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: Math.floor(bytes.byteLength / 4) }, (_, i) => view.getUint32(4 * i, true));
}

export function encodeAudioPrint(items: AudioPrint): Uint8Array {
  const bytes = new Uint8Array(items.length * 4);
  const view = new DataView(bytes.buffer);
  items.forEach((item, i) => view.setUint32(4 * i, item, true));
  return bytes;
}

const changes = (print: AudioPrint, i: number) => i > 0 && i < print.length && popcount32(print[i]! ^ print[i - 1]!) >= CHANGE_BITS;

/** Items where the sound changes: the share of a print that can tell two soundtracks apart. */
export function changingShare(print: AudioPrint): number {
  let changing = 0;
  for (let i = 1; i < print.length; i += 1) if (changes(print, i)) changing += 1;
  return print.length > 1 ? changing / (print.length - 1) : 0;
}

/** Shared footage as the picture aligned it: the two segments (seconds) and the query's playback rate. */
export interface SharedFootage {
  readonly querySegment: readonly [number, number];
  readonly refSegment: readonly [number, number];
  /** 1.25: the query plays the stored video's footage a quarter faster. */
  readonly rate: number;
}

/**
 * Compares the soundtracks along the picture's alignment: each query item where the sound
 * changes, inside the shared segment, with the stored item at the same moment (or one item
 * either side: the two prints start on different grids). Too few changing items on either
 * side (silence, a tone, hum, no audio, a short segment) is no evidence.
 */
export function compareSoundtracks(query: AudioPrint, ref: AudioPrint, shared: SharedFootage): AudioVerdict {
  const [qStart, qEnd] = shared.querySegment;
  let compared = 0;
  let agreeing = 0;
  for (let i = Math.ceil(qStart / AUDIO_ITEM_SEC); i * AUDIO_ITEM_SEC <= qEnd && i < query.length; i += 1) {
    const j = Math.round((shared.refSegment[0] + shared.rate * (i * AUDIO_ITEM_SEC - qStart)) / AUDIO_ITEM_SEC);
    if (!changes(query, i) || !(changes(ref, j) || changes(ref, j - 1) || changes(ref, j + 1))) continue;
    compared += 1;
    let nearest = 32;
    for (let k = j - 1; k <= j + 1; k += 1) if (k >= 0 && k < ref.length) nearest = Math.min(nearest, popcount32(query[i]! ^ ref[k]!));
    if (nearest <= SAME_SOUND_BITS) agreeing += 1;
  }
  if (compared < MIN_COMPARED) return "no-evidence";
  return agreeing >= MIN_AGREEING * compared ? "agrees" : "differs";
}

/** One stored index row per this many items (about a second): a re-encode keeps only some items exact. */
export const AUDIO_INDEX_STRIDE = 8;

/** The picture's sample (SAMPLE_RATE) an item falls on, so the soundtrack's offsets are voted on the picture's clock. */
const sampleOf = (item: number) => Math.round(item * AUDIO_ITEM_SEC * SAMPLE_RATE);

/** Keys are the items themselves, as the index's signed 32-bit keys. */
const keyOf = (print: AudioPrint, i: number): IndexEntry => ({ key: print[i]! | 0, sample: sampleOf(i) });

/**
 * A stored soundtrack's index rows: every AUDIO_INDEX_STRIDE-th item where the sound changes
 * (silence, hum and tones leave none). A query probes all its changing items by exact key
 * (audioProbes), so a stored row is met wherever the query's soundtrack has that item.
 */
export function audioIndexEntries(print: AudioPrint): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (let i = AUDIO_INDEX_STRIDE; i < print.length; i += AUDIO_INDEX_STRIDE) if (changes(print, i)) entries.push(keyOf(print, i));
  return entries;
}

/** The query's soundtrack keys: every item where the sound changes. */
export function audioProbes(print: AudioPrint): IndexEntry[] {
  const probes: IndexEntry[] = [];
  for (let i = 1; i < print.length; i += 1) if (changes(print, i)) probes.push(keyOf(print, i));
  return probes;
}
