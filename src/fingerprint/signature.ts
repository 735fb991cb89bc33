import { coarseBits, type Hash64 } from "./frame-hash.js";

/**
 * A video's visual signature: one frame hash every 1/SAMPLE_RATE seconds of stream time
 * (undefined where the frame has no picture: black, fades, flat cards). Time is the sample
 * index over the rate, so two signatures line up by shifting one index.
 */
export const SAMPLE_RATE = 4;
export type Signature = readonly (Hash64 | undefined)[];

/** Seconds of a video that carry a picture (a hash), never more than its duration. */
export function pictureSeconds(signature: Signature, durationSec: number): number {
  const pictured = signature.reduce((n, hash) => (hash ? n + 1 : n), 0) / SAMPLE_RATE;
  return Math.min(durationSec, Math.max(pictured, 1 / SAMPLE_RATE));
}

/** 8 bytes per sample, big-endian halves; all-zero marks "no picture" (never a real hash). */
export function encodeSignature(signature: Signature): Buffer {
  const buffer = Buffer.alloc(signature.length * 8);
  signature.forEach((hash, i) => {
    if (!hash) return;
    buffer.writeUInt32BE(hash[0], i * 8);
    buffer.writeUInt32BE(hash[1], i * 8 + 4);
  });
  return buffer;
}

export function decodeSignature(buffer: Uint8Array): Signature {
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const out: (Hash64 | undefined)[] = [];
  for (let offset = 0; offset + 8 <= view.length; offset += 8) {
    const hi = view.readUInt32BE(offset);
    const lo = view.readUInt32BE(offset + 4);
    out.push(hi === 0 && lo === 0 ? undefined : [hi, lo]);
  }
  return out;
}

export interface IndexEntry {
  /** coarse(t) and coarse(t + PAIR_GAP) in one signed 32-bit key. */
  readonly key: number;
  /** Sample index (time × SAMPLE_RATE) of the first picture of the pair. */
  readonly sample: number;
}

/** Pairs join a picture with the one a second later: 32 bits of content and motion. */
export const PAIR_GAP = SAMPLE_RATE;
/** Stored videos are indexed once a second; queries look up every sample, so they meet. */
export const INDEX_STRIDE = SAMPLE_RATE;

function pairKey(signature: Signature, sample: number): number | undefined {
  const first = signature[sample];
  const second = signature[sample + PAIR_GAP];
  return first && second ? (coarseBits(first) << 16) | coarseBits(second) | 0 : undefined;
}

/**
 * The index rows of a stored video: one pair key a second. A key equal to the previous one
 * (a still shot) is stored once, so static footage does not flood the index.
 */
export function indexEntries(signature: Signature): IndexEntry[] {
  const entries: IndexEntry[] = [];
  let previous: number | undefined;
  for (let sample = 0; sample < signature.length; sample += INDEX_STRIDE) {
    const key = pairKey(signature, sample);
    if (key === undefined || key === previous) continue;
    previous = key;
    entries.push({ key, sample });
  }
  return entries;
}

/** Bits of a pair key: 16 coarse bits of each of its two pictures. */
const PAIR_KEY_BITS = 32;

/**
 * The lookups of a query: the pair key of every sample, and each key with one of its bits
 * flipped. A heavy re-encode flips a coarse bit in about half of its pictures (a bit whose
 * coefficient sits near the median), so an exact 32-bit key of such a copy meets its source's
 * only about a quarter of the time, and a short copy, indexed once a second, can go without
 * a single hit; within one bit it meets it most of the time. Stored rows stay exact.
 */
export function queryEntries(signature: Signature): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (let sample = 0; sample < signature.length; sample += 1) {
    const key = pairKey(signature, sample);
    if (key === undefined) continue;
    entries.push({ key, sample });
    for (let bit = 0; bit < PAIR_KEY_BITS; bit += 1) entries.push({ key: (key ^ (1 << bit)) | 0, sample });
  }
  return entries;
}
