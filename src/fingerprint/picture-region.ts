import { contentRect, FRAME_SIZE, type Rect } from "./frame-hash.js";

/**
 * Where else in a frame a stored video's picture may be: re-uploads that show it as only part
 * of the frame. Two layouts are recognised, each cheaply and from the footage alone:
 *  - the moving part of a frame whose rest stays still: a picture squeezed between caption
 *    bars (memes), an inset over a still reaction frame, a picture on a still template;
 *  - the band a 16:9 picture fills across a portrait frame (vertical reposts, over a blurred
 *    copy of itself or any other fill).
 * Each region found is hashed as a picture of its own (hashRegion) and searched beside the
 * whole frame. Pure.
 */

/** Samples the layout is judged on (the first 10 s); the layout of a repost does not change. */
export const REGION_SAMPLES = 40;
/** Mean luma change between samples above which a pixel moves (a still picture re-encoded stays well under). */
const MOVING_LUMA = 1;
/** A row or column with fewer moving pixels than this is still. */
const MIN_MOVING_PIXELS = 3;
/** The least share of each side and of the area a region has (smaller: a logo, a ticker). */
const MIN_SIDE = 0.3;
const MIN_AREA = 0.12;
/** A moving part this close to the whole frame (or to its black borders' crop) is the frame. */
const MAX_AREA = 0.92;
const SAME_EDGE = 2;
/** Frames wider than this (width over height) have no portrait band. */
const MAX_PORTRAIT_ASPECT = 0.8;
const LANDSCAPE_ASPECT = 16 / 9;

/** The part of the frame that moves, if the rest stays still (consecutive samples, in order). */
export function movingRegion(frames: readonly Uint8Array[], size = FRAME_SIZE): Rect | undefined {
  if (frames.length < 2) return undefined;
  const change = new Float64Array(size * size);
  for (let t = 1; t < frames.length; t += 1) {
    for (let i = 0; i < size * size; i += 1) change[i]! += Math.abs(frames[t]![i]! - frames[t - 1]![i]!);
  }
  const moving = (i: number) => change[i]! / (frames.length - 1) >= MOVING_LUMA;
  const movingIn = (count: number, at: (k: number) => number) => {
    let n = 0;
    for (let k = 0; k < count; k += 1) if (moving(at(k))) n += 1;
    return n >= MIN_MOVING_PIXELS;
  };
  const rows = Array.from({ length: size }, (_, y) => movingIn(size, (x) => y * size + x));
  const y0 = rows.indexOf(true);
  const y1 = rows.lastIndexOf(true) + 1;
  if (y0 < 0) return undefined;
  const columns = Array.from({ length: size }, (_, x) => movingIn(y1 - y0, (k) => (y0 + k) * size + x));
  const region = { x0: columns.indexOf(true), y0, x1: columns.lastIndexOf(true) + 1, y1 };
  return plausible(region, size) ? region : undefined;
}

/** The band a 16:9 picture fills across the full width of a portrait frame (width / height). */
export function portraitBand(aspect: number, size = FRAME_SIZE): Rect | undefined {
  if (!(aspect > 0 && aspect <= MAX_PORTRAIT_ASPECT)) return undefined;
  const height = (size * aspect) / LANDSCAPE_ASPECT;
  return { x0: 0, y0: (size - height) / 2, x1: size, y1: (size + height) / 2 };
}

function plausible(region: Rect, size: number): boolean {
  const w = (region.x1 - region.x0) / size;
  const h = (region.y1 - region.y0) / size;
  return w >= MIN_SIDE && h >= MIN_SIDE && w * h >= MIN_AREA && w * h <= MAX_AREA;
}

const near = (a: Rect, b: Rect) =>
  Math.abs(a.x0 - b.x0) <= SAME_EDGE &&
  Math.abs(a.y0 - b.y0) <= SAME_EDGE &&
  Math.abs(a.x1 - b.x1) <= SAME_EDGE &&
  Math.abs(a.y1 - b.y1) <= SAME_EDGE;

/**
 * The regions worth a search of their own, from the first samples and the frame's aspect
 * (width over height; undefined: not known). A region the plain hash already sees (the frame
 * less its black borders) is left out, and so is one the same as another.
 */
export function pictureRegions(frames: readonly Uint8Array[], aspect: number | undefined, size = FRAME_SIZE): Rect[] {
  const last = frames[frames.length - 1];
  const seen = last ? [contentRect(last, size)] : [];
  const regions: Rect[] = [];
  for (const region of [movingRegion(frames, size), aspect === undefined ? undefined : portraitBand(aspect, size)]) {
    if (!region || seen.some((other) => near(region, other))) continue;
    seen.push(region);
    regions.push(region);
  }
  return regions;
}
