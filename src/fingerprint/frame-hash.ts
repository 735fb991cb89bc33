/**
 * A 64-bit perceptual hash of one small grey frame (a DCT hash, like pHash), after cutting
 * away black borders so that letterboxed, pillarboxed and padded copies hash like the
 * original. Pure; the input is the raw bytes of one FRAME_SIZE × FRAME_SIZE grey frame.
 */
export const FRAME_SIZE = 64;
const HASH_GRID = 32;
const DCT_SIZE = 8;
/**
 * A border row or column is a bar when it is black throughout: mean and maximum luma below
 * these (video black is 16). Dark picture content has detail above the maximum, so it is
 * never cropped, and two encodes of the same dark scene crop the same way.
 */
const BAR_MEAN_LUMA = 28;
const BAR_MAX_LUMA = 48;
/** Frames flatter than this (luma standard deviation) carry no picture: black, fades, solid cards. */
export const MIN_FRAME_CONTRAST = 10;

/** A hash as two 32-bit halves; [0, 0] never occurs for a real picture (see hashFrames). */
export type Hash64 = readonly [hi: number, lo: number];

const COS_TABLE: Float64Array = (() => {
  const table = new Float64Array(DCT_SIZE * HASH_GRID);
  for (let u = 0; u < DCT_SIZE; u += 1) {
    for (let x = 0; x < HASH_GRID; x += 1) table[u * HASH_GRID + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_GRID));
  }
  return table;
})();

export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** A rectangle's area in pixels (none for an empty one). */
export const rectArea = (r: Rect) => Math.max(0, r.x1 - r.x0) * Math.max(0, r.y1 - r.y0);

/** The frame without its black borders (never less than half of either side). */
export function contentRect(gray: Uint8Array, size = FRAME_SIZE): Rect {
  const isBar = (values: number[]) => {
    let sum = 0;
    let max = 0;
    for (const v of values) {
      sum += v;
      max = Math.max(max, v);
    }
    return sum / values.length < BAR_MEAN_LUMA && max < BAR_MAX_LUMA;
  };
  const row = (y: number) => Array.from({ length: size }, (_, x) => gray[y * size + x]!);
  const column = (x: number, from: number, to: number) => Array.from({ length: to - from }, (_, i) => gray[(from + i) * size + x]!);
  let y0 = 0;
  let y1 = size;
  while (y0 < size / 4 && isBar(row(y0))) y0 += 1;
  while (y1 > (3 * size) / 4 && isBar(row(y1 - 1))) y1 -= 1;
  let x0 = 0;
  let x1 = size;
  while (x0 < size / 4 && isBar(column(x0, y0, y1))) x0 += 1;
  while (x1 > (3 * size) / 4 && isBar(column(x1 - 1, y0, y1))) x1 -= 1;
  return { x0, y0, x1, y1 };
}

/**
 * Share of each side left out of the hash: logos, watermarks, tickers and burnt-in captions
 * live in the margins, and a copy cropped by a few percent loses exactly those.
 */
export const HASH_MARGIN = 0.15;

export function centralRegion(rect: Rect): Rect {
  const dx = (rect.x1 - rect.x0) * HASH_MARGIN;
  const dy = (rect.y1 - rect.y0) * HASH_MARGIN;
  return { x0: rect.x0 + dx, y0: rect.y0 + dy, x1: rect.x1 - dx, y1: rect.y1 - dy };
}

/** Area-averages the rectangle down (or up) to HASH_GRID × HASH_GRID. */
function resample(gray: Uint8Array, size: number, rect: Rect): Float64Array {
  const out = new Float64Array(HASH_GRID * HASH_GRID);
  const w = rect.x1 - rect.x0;
  const h = rect.y1 - rect.y0;
  for (let gy = 0; gy < HASH_GRID; gy += 1) {
    const sy0 = rect.y0 + (gy * h) / HASH_GRID;
    const sy1 = rect.y0 + ((gy + 1) * h) / HASH_GRID;
    for (let gx = 0; gx < HASH_GRID; gx += 1) {
      const sx0 = rect.x0 + (gx * w) / HASH_GRID;
      const sx1 = rect.x0 + ((gx + 1) * w) / HASH_GRID;
      let sum = 0;
      let weight = 0;
      for (let y = Math.floor(sy0); y < Math.ceil(sy1); y += 1) {
        const wy = Math.min(y + 1, sy1) - Math.max(y, sy0);
        for (let x = Math.floor(sx0); x < Math.ceil(sx1); x += 1) {
          const wx = Math.min(x + 1, sx1) - Math.max(x, sx0);
          sum += gray[y * size + x]! * wx * wy;
          weight += wx * wy;
        }
      }
      out[gy * HASH_GRID + gx] = sum / weight;
    }
  }
  return out;
}

function standardDeviation(values: Float64Array): number {
  let sum = 0;
  let sumSq = 0;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / values.length;
  return Math.sqrt(Math.max(0, sumSq / values.length - mean * mean));
}

/** A frame's hash, and the hash its mirror image (flipped left to right) has. */
export interface FrameHashes {
  readonly hash: Hash64;
  readonly mirrored: Hash64;
}

/** A bit for each coefficient above their median (DC excluded, its bit always 0). */
function bitsAboveMedian(coefficients: Float64Array): Hash64 {
  const median = [...coefficients.subarray(1)].sort((a, b) => a - b)[31]!;
  let hi = 0;
  let lo = 0;
  for (let i = 1; i < 64; i += 1) {
    if (coefficients[i]! > median) {
      if (i < 32) hi |= 1 << (31 - i);
      else lo |= 1 << (63 - i);
    }
  }
  return [hi >>> 0, lo >>> 0];
}

/** The 8 × 8 lowest DCT frequencies of a HASH_GRID × HASH_GRID grid (a separable DCT-II). */
function lowFrequencies(grid: Float64Array): Float64Array {
  const rows = new Float64Array(HASH_GRID * DCT_SIZE);
  for (let y = 0; y < HASH_GRID; y += 1) {
    for (let u = 0; u < DCT_SIZE; u += 1) {
      let acc = 0;
      for (let x = 0; x < HASH_GRID; x += 1) acc += grid[y * HASH_GRID + x]! * COS_TABLE[u * HASH_GRID + x]!;
      rows[y * DCT_SIZE + u] = acc;
    }
  }
  const coefficients = new Float64Array(DCT_SIZE * DCT_SIZE);
  for (let v = 0; v < DCT_SIZE; v += 1) {
    for (let u = 0; u < DCT_SIZE; u += 1) {
      let acc = 0;
      for (let y = 0; y < HASH_GRID; y += 1) acc += rows[y * DCT_SIZE + u]! * COS_TABLE[v * HASH_GRID + y]!;
      coefficients[v * DCT_SIZE + u] = acc;
    }
  }
  return coefficients;
}

/**
 * Hashes one grey frame: crop black borders, resample to 32 × 32, take the 8 × 8 lowest
 * DCT frequencies and set a bit for each coefficient above their median. Also gives the
 * hash of the frame mirrored left to right, without a second DCT: the border crop and the
 * margins are symmetric, and mirroring negates exactly the coefficients of odd horizontal
 * frequency (cos((2(N−1−x)+1)uπ/2N) = (−1)^u cos((2x+1)uπ/2N)); their median moves with
 * them, so it is taken again. Returns undefined for a frame with no picture to speak of.
 */
export function hashFrames(gray: Uint8Array, size = FRAME_SIZE): FrameHashes | undefined {
  const grid = resample(gray, size, centralRegion(contentRect(gray, size)));
  if (standardDeviation(grid) < MIN_FRAME_CONTRAST) return undefined;
  const coefficients = lowFrequencies(grid);
  const mirrored = coefficients.map((c, i) => ((i % DCT_SIZE) % 2 === 1 ? -c : c));
  return { hash: bitsAboveMedian(coefficients), mirrored: bitsAboveMedian(mirrored) };
}

/**
 * The hash of the picture in one region of the frame (PictureRegion: an inset, the band of a
 * vertical repost), as hashFrames hashes a whole frame holding only that picture.
 */
export function hashRegion(gray: Uint8Array, region: Rect, size = FRAME_SIZE): Hash64 | undefined {
  const grid = resample(gray, size, centralRegion(region));
  return standardDeviation(grid) < MIN_FRAME_CONTRAST ? undefined : bitsAboveMedian(lowFrequencies(grid));
}

/** Two pictures this close (bits of 64) are the same picture, as verification judges them. */
export const SAME_PICTURE_BITS = 12;

export function popcount32(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hammingDistance(a: Hash64, b: Hash64): number {
  return popcount32((a[0] ^ b[0]) >>> 0) + popcount32((a[1] ^ b[1]) >>> 0);
}

/**
 * The 16 lowest-frequency bits of a hash (u + v ≤ 4, plus (5,0) and (0,5); DC excluded).
 * Their coefficients are large, so their bits are the coarse layout of the picture and
 * survive re-encoding, resizing and small crops far better than the other 47.
 */
const COARSE_POSITIONS: readonly number[] = (() => {
  const positions: number[] = [];
  for (let sum = 1; sum <= 4; sum += 1) for (let v = 0; v <= sum; v += 1) positions.push(v * 8 + (sum - v));
  positions.push(5, 40);
  return positions;
})();

function bitAt(hash: Hash64, position: number): number {
  return position < 32 ? (hash[0] >>> (31 - position)) & 1 : (hash[1] >>> (63 - position)) & 1;
}

export function coarseBits(hash: Hash64): number {
  let bits = 0;
  for (const position of COARSE_POSITIONS) bits = (bits << 1) | bitAt(hash, position);
  return bits;
}
