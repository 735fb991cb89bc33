import { coarseBits, hammingDistance, popcount32, SAME_PICTURE_BITS, type Hash64 } from "./frame-hash.js";

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
  /** The 16 coarse bits of a picture and of its partner (see storedKey) in one signed 32-bit key. */
  readonly key: number;
  /** Sample index (time × SAMPLE_RATE) of the first picture of the pair. */
  readonly sample: number;
}

/** A picture's partner is, by default, the picture a second later: 32 bits of content and motion. */
export const PAIR_GAP = SAMPLE_RATE;
/**
 * Stored videos are indexed every two seconds (a copy needs a few hits at one offset, and the
 * index's rows are what its size, insert rate and memory scale with), short ones every second
 * (SHORT_VIDEO_SAMPLES); queries look up every sample, so they meet whatever the copy's trim.
 */
export const INDEX_STRIDE = 2 * SAMPLE_RATE;
/** A video this short is indexed every second instead: it has few keys to collect two hits at one offset from. */
export const SHORT_VIDEO_SAMPLES = 45 * SAMPLE_RATE;
const strideOf = (signature: Signature) => (signature.length <= SHORT_VIDEO_SAMPLES ? SAMPLE_RATE : INDEX_STRIDE);
/**
 * The picture has changed when this many of its 64 bits differ: far above a re-encode's noise
 * (verification accepts 12) and below two unrelated pictures (about 32).
 */
const CHANGE_BITS = 20;
/** How far a still picture looks ahead for the picture that replaces it. */
const CHANGE_HORIZON = 8 * SAMPLE_RATE;

const pairKey = (first: Hash64, second: Hash64): number => (coarseBits(first) << 16) | coarseBits(second) | 0;

/**
 * The first picture after `sample` that differs from it by CHANGE_BITS or more (the next shot,
 * or where slow motion has moved the picture on), within CHANGE_HORIZON.
 */
function nextChange(signature: Signature, sample: number): number | undefined {
  const picture = signature[sample];
  if (!picture) return undefined;
  const end = Math.min(signature.length, sample + CHANGE_HORIZON + 1);
  for (let later = sample + 1; later < end; later += 1) {
    const other = signature[later];
    if (other && hammingDistance(picture, other) >= CHANGE_BITS) return later;
  }
  return undefined;
}

/** The key of a picture and the one a second later, when both have a picture. */
function secondKey(signature: Signature, sample: number): number | undefined {
  const first = signature[sample];
  const second = signature[sample + PAIR_GAP];
  return first && second ? pairKey(first, second) : undefined;
}

/** The key of a picture and the next picture that differs from it, if any comes soon. */
function changeKey(signature: Signature, sample: number, later = nextChange(signature, sample)): number | undefined {
  return later === undefined ? undefined : pairKey(signature[sample]!, signature[later]!);
}

/** Coarse bits that differ between a key's two pictures. */
const halvesApart = (key: number): number => popcount32(((key >>> 16) ^ key) & 0xffff);
/**
 * A second's key counts as motion from this many coarse bits apart; closer halves are a still
 * or slow shot's (drift and re-encoding flip one or two).
 */
const MOVED_BITS = 3;

/**
 * The key a stored video files a sample under. Its partner is the picture a second later,
 * unless their coarse bits are nearly the same (fewer than MOVED_BITS apart), as in a still or slow shot: such keys have
 * two equal halves, so they crowd onto a few thousand values shared by every still shot of
 * the catalog and select nothing. The partner is then the next picture that differs (usually
 * the next shot's first), which makes the key as specific as two unrelated pictures. (When no
 * such picture comes within CHANGE_HORIZON, the second's key stands.)
 */
function storedKey(signature: Signature, sample: number): number | undefined {
  const key = secondKey(signature, sample);
  if (key === undefined || halvesApart(key) >= MOVED_BITS) return key;
  return changeKey(signature, sample) ?? key;
}

/**
 * The index rows of a stored video: one key every INDEX_STRIDE samples. A key equal to the previous one (a
 * still shot) is stored once, so static footage does not flood the index.
 */
export function indexEntries(signature: Signature): IndexEntry[] {
  const entries: IndexEntry[] = [];
  let previous: number | undefined;
  const stride = strideOf(signature);
  for (let sample = 0; sample < signature.length; sample += stride) {
    const key = storedKey(signature, sample);
    if (key === undefined || key === previous) continue;
    previous = key;
    entries.push({ key, sample });
  }
  return entries;
}

/** How far each side of a sample its steady picture looks: half a second. */
const STEADY_REACH = SAMPLE_RATE / 2;
/** A vote needs at least this many of the same picture (the sample's own included). */
const MIN_VOTERS = 3;

/** A word with the bits where exactly `count` of the counted words have theirs (bit-sliced counts in three planes). */
function countIs(count: number, ones: number, twos: number, fours: number): number {
  return (count & 1 ? ones : ~ones) & (count & 2 ? twos : ~twos) & (count & 4 ? fours : ~fours);
}

/**
 * Bitwise majority of one 32-bit half of the pictures (at most 7); a tie keeps the centre's
 * bit. The 32 bits are counted at once: each bit's count is kept in three bit planes.
 */
function majorityHalf(pictures: readonly Hash64[], half: 0 | 1, centre: number): number {
  let ones = 0;
  let twos = 0;
  let fours = 0;
  for (const picture of pictures) {
    const word = picture[half];
    const carry = ones & word;
    ones ^= word;
    fours |= twos & carry;
    twos ^= carry;
  }
  const n = pictures.length;
  let out = 0;
  for (let count = Math.floor(n / 2) + 1; count <= n; count += 1) out |= countIs(count, ones, twos, fours);
  if (n % 2 === 0) out |= countIs(n / 2, ones, twos, fours) & centre;
  return out >>> 0;
}

/**
 * A signature with per-frame noise voted away: each picture becomes the bitwise majority of
 * the pictures within STEADY_REACH of it that are the same picture (SAME_PICTURE_BITS). A
 * re-encode flips a bit near its median here and there, frame by frame; in a still or slow
 * shot each flip makes a query key of its own, and each key costs 33 lookups. Across a cut
 * (pictures further apart) nothing is mixed, and a picture with fewer than MIN_VOTERS of
 * its kind around it is kept as it is. Pure.
 */
export function steadyPictures(signature: Signature): Signature {
  return signature.map((picture, sample) => {
    if (!picture) return picture;
    const same: Hash64[] = [];
    const end = Math.min(signature.length - 1, sample + STEADY_REACH);
    for (let other = Math.max(0, sample - STEADY_REACH); other <= end; other += 1) {
      const candidate = signature[other];
      if (candidate && hammingDistance(candidate, picture) <= SAME_PICTURE_BITS) same.push(candidate);
    }
    // Where the same picture repeats exactly (a still shot without noise) there is nothing to vote away.
    if (same.length < MIN_VOTERS || same.every((h) => h[0] === picture[0] && h[1] === picture[1])) return picture;
    return [majorityHalf(same, 0, picture[0]), majorityHalf(same, 1, picture[1])];
  });
}

/** Bits of a pair key: 16 coarse bits of each of its two pictures. */
export const PAIR_KEY_BITS = 32;

/**
 * A change this close to CHANGE_BITS is soft (a dissolve, a slow zoom): where a copy's noise
 * puts its moment a sample earlier or later than the source's, the source filed the change's
 * key with the picture next to the query's. Hard cuts (about 32 bits) have one moment.
 */
const SOFT_CHANGE_BITS = CHANGE_BITS + 4;

/** Twice a second: a vote's bin is two samples wide, so the lookups kept still meet the true offset. */
const REPEAT_LOOKUP_SAMPLES = SAMPLE_RATE / 2;

/**
 * The lookups of a query: for every sample, each key a stored video may have filed it under.
 * Both the second's key and the change's, since which one a source chose depends on bits a
 * copy may flip; but not a second's key whose halves are so close that, within one bit, the
 * source's were closer than MOVED_BITS where a change follows: the source filed the change's
 * key. The index looks each one up with all its one-bit neighbours (oneBitNeighbours).
 *
 * A key that repeats on consecutive samples (a still or slow shot) is looked up every
 * REPEAT_LOOKUP_SAMPLES of its run: a stored video files such a run once, so each further lookup
 * only met that one row again, at another offset, and one chance row under a still shot's key
 * collected as many votes as a copy's distinct pictures.
 *
 * The keys are taken from the query's steady pictures (steadyPictures): a copy's noise flips
 * bits frame by frame, and in a still shot each flip would be a key (33 lookups) of its own.
 * A soft change is also looked up with the pictures next to its moment (softChangeNeighbours).
 */
export function queryEntries(signature: Signature): IndexEntry[] {
  const steady = steadyPictures(signature);
  const entries: IndexEntry[] = [];
  const runs = new Map<number, { last: number; kept: number }>();
  const add = (key: number, sample: number) => {
    const run = runs.get(key);
    const repeats = run !== undefined && run.last >= sample - 1 && sample - run.kept < REPEAT_LOOKUP_SAMPLES;
    runs.set(key, { last: sample, kept: repeats ? run.kept : sample });
    if (!repeats) entries.push({ key, sample });
  };
  for (let sample = 0; sample < steady.length; sample += 1) {
    const later = nextChange(steady, sample);
    const change = changeKey(steady, sample, later);
    const second = secondKey(steady, sample);
    const still = second !== undefined && change !== undefined && halvesApart(second) < MOVED_BITS - 1;
    if (second !== undefined && !still) add(second, sample);
    if (change !== undefined && change !== second) add(change, sample);
    for (const key of softChangeNeighbours(steady, sample, later)) add(key, sample);
  }
  return entries;
}

/** A soft change's keys with the pictures a sample before and after its moment (SOFT_CHANGE_BITS). */
function softChangeNeighbours(signature: Signature, sample: number, later: number | undefined): number[] {
  const first = signature[sample];
  if (!first || later === undefined || hammingDistance(first, signature[later]!) >= SOFT_CHANGE_BITS) return [];
  // The sample before the change is the first picture itself when the change comes next.
  const partners = later - 1 > sample ? [signature[later - 1], signature[later + 1]] : [signature[later + 1]];
  return partners.flatMap((partner) => (partner ? [pairKey(first, partner)] : []));
}

/**
 * A key and every key one bit from it. A heavy re-encode flips a coarse bit in about half of
 * its pictures (a bit whose coefficient sits near the median), so an exact 32-bit key of such
 * a copy meets its source's only about a quarter of the time, and a short copy, indexed once
 * a second, can go without a single hit; within one bit it meets it most of the time. Stored
 * rows stay exact; lookups take the neighbours.
 */
export function oneBitNeighbours(key: number): number[] {
  return [key, ...Array.from({ length: PAIR_KEY_BITS }, (_, bit) => (key ^ (1 << bit)) | 0)];
}
