import { cornerInset, CUT_LUMA } from "./corner-inset.js";
import { contentRect, FRAME_SIZE, rectArea as area, type Rect } from "./frame-hash.js";
import { refineEdges } from "./region-edges.js";

/**
 * Where else in a frame a stored video's picture may be: re-uploads that show it as only part
 * of the frame. Three layouts are recognised, each cheaply and from the footage alone:
 *  - the moving part of a frame whose rest stays still: a picture squeezed between caption
 *    bars (memes), an inset over a still reaction frame, a picture on a still template;
 *  - the part that changes at once (a cut, fast motion) while the rest goes on: an inset over
 *    other moving footage (picture-in-picture, reaction videos), seen at two moments at least;
 *    and, over the first INSET_SAMPLES, an inset in a corner that the cuts of either picture
 *    outline (cornerInset), where the first samples showed no layout with a still frame;
 *  - the band a 16:9 picture fills across a portrait frame (vertical reposts, over a blurred
 *    copy of itself or any other fill).
 * Each region found is hashed as a picture of its own (hashRegion) and searched beside the
 * whole frame. Pure.
 */

/** Samples the layout is judged on (the first 10 s); the layout of a repost does not change. */
export const REGION_SAMPLES = 40;
/** Samples a corner inset over moving footage is judged on (the first 20 s): it needs two cuts of either picture. */
export const INSET_SAMPLES = 80;
/** Where the first 20 s show none, it is looked for again every 20 s over all samples so far, up to the first 60 s. */
export const MAX_INSET_SAMPLES = 3 * INSET_SAMPLES;
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
/** A sample pair with fewer cut pixels than this share of the frame is no cut. */
const MIN_CUT_SHARE = 0.06;
/** A row or column is inside a cut when it holds at least this share of the most any row or column holds. */
const CUT_LINE_SHARE = 0.5;
/** A cut of an inset changes this share of its pixels at least, and of the rest of the frame at most the other. */
const MIN_INSIDE_CUT = 0.4;
const MAX_OUTSIDE_CUT = 0.03;
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

/** The rectangle holding most of a cut's pixels: rows and columns with at least CUT_LINE_SHARE of the most. */
function cutBox(cut: Uint8Array, size: number): Rect {
  const rows = new Float64Array(size);
  const columns = new Float64Array(size);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      rows[y]! += cut[y * size + x]!;
      columns[x]! += cut[y * size + x]!;
    }
  }
  const span = (counts: Float64Array) => {
    const least = CUT_LINE_SHARE * Math.max(...counts);
    const inside = Array.from(counts, (n) => n >= least);
    return [inside.indexOf(true), inside.lastIndexOf(true) + 1] as const;
  };
  const [x0, x1] = span(columns);
  const [y0, y1] = span(rows);
  return { x0, y0, x1, y1 };
}

/** Most of the box's pixels cut, hardly any outside it: one picture cut while the rest went on. */
function sharpCut(cut: Uint8Array, box: Rect, size: number): boolean {
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const within = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
      if (within) inside += cut[y * size + x]!;
      else outside += cut[y * size + x]!;
    }
  }
  return inside >= MIN_INSIDE_CUT * area(box) && outside <= MAX_OUTSIDE_CUT * (size * size - area(box));
}

/**
 * The region cuts change while the rest of the frame goes on, if cuts at two moments at
 * least show it (consecutive samples, in order). A cut may change only part of a picture
 * (what stays alike across it is not cut), so the region is the union of the cut boxes that
 * overlap the largest. A cut of the whole frame (the background's own, or a video's that
 * fills the frame) is no region's.
 */
export function cutRegion(frames: readonly Uint8Array[], size = FRAME_SIZE): Rect | undefined {
  const boxes: { at: number; box: Rect }[] = [];
  const cut = new Uint8Array(size * size);
  for (let t = 1; t < frames.length; t += 1) {
    let count = 0;
    for (let i = 0; i < size * size; i += 1) {
      cut[i] = Math.abs(frames[t]![i]! - frames[t - 1]![i]!) > CUT_LUMA ? 1 : 0;
      count += cut[i]!;
    }
    if (count < MIN_CUT_SHARE * size * size) continue;
    const box = cutBox(cut, size);
    if (area(box) <= MAX_AREA * size * size && sharpCut(cut, box, size)) boxes.push({ at: t, box });
  }
  const largest = boxes.reduce<(typeof boxes)[number] | undefined>((a, b) => (a && area(a.box) >= area(b.box) ? a : b), undefined);
  if (!largest) return undefined;
  const overlapping = boxes.filter(({ box }) => overlap(box, largest.box));
  // A cut spread over neighbouring samples by the smoothing is one cut: another must be apart.
  if (!overlapping.some(({ at }) => Math.abs(at - largest.at) > 2)) return undefined;
  const region = overlapping.reduce<Rect>(
    (u, { box }) => ({ x0: Math.min(u.x0, box.x0), y0: Math.min(u.y0, box.y0), x1: Math.max(u.x1, box.x1), y1: Math.max(u.y1, box.y1) }),
    largest.box,
  );
  return plausible(region, size) ? region : undefined;
}

const overlap = (a: Rect, b: Rect) => Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) && Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);

/** How far a refined band's shape may be from 16:9 (the picture's width over its height, as a ratio of 16:9). */
const BAND_SHAPE_TOLERANCE = 0.04;

/**
 * The band's picture, its sides moved onto its borders (refineEdges), as long as it keeps the
 * 16:9 shape a repost's picture has; where detail inside the picture stepped harder than its
 * top and bottom borders (a horizon, a caption) and moved them, the height follows from the
 * width instead, about the band's middle. A repost centres a picture narrower than the frame,
 * so the side that found its border gives both margins (the other often meets a fill as dark
 * or bright as the picture's edge, and no step).
 */
function bandPicture(frames: readonly Uint8Array[], aspect: number, size: number): Rect | undefined {
  const band = portraitBand(aspect, size);
  if (!band) return undefined;
  const edges = refineEdges(frames, band, size);
  const margin = Math.max(edges.x0 - band.x0, band.x1 - edges.x1);
  const refined = { ...edges, x0: band.x0 + margin, x1: band.x1 - margin };
  const width = refined.x1 - refined.x0;
  const shape = ((width / (refined.y1 - refined.y0)) * aspect) / LANDSCAPE_ASPECT;
  if (Math.abs(shape - 1) <= BAND_SHAPE_TOLERANCE) return refined;
  const [middle, height] = [(band.y0 + band.y1) / 2, (width * aspect) / LANDSCAPE_ASPECT];
  return { ...refined, y0: middle - height / 2, y1: middle + height / 2 };
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

/** A region worth a search of its own; `stillAround`: the rest of the frame stays still (a layout, a template). */
export interface PictureRegion {
  readonly rect: Rect;
  readonly stillAround: boolean;
}

/**
 * The regions worth a search of their own, from the first samples and the frame's aspect
 * (width over height; undefined: not known). A region the plain hash already sees (the frame
 * less its black borders) is left out, and so is one the same as another.
 */
export function pictureRegions(frames: readonly Uint8Array[], aspect: number | undefined, size = FRAME_SIZE): PictureRegion[] {
  const last = frames[frames.length - 1];
  const seen = last ? [contentRect(last, size)] : [];
  const band = aspect === undefined ? undefined : bandPicture(frames, aspect, size);
  const cut = cutRegion(frames, size);
  const moving = movingRegion(frames, size);
  const found = [
    moving && { rect: moving, stillAround: true },
    cut && { rect: cut, stillAround: false },
    band && { rect: band, stillAround: false },
  ];
  const regions: PictureRegion[] = [];
  for (const region of found) {
    if (!region || seen.some((other) => near(region.rect, other))) continue;
    seen.push(region.rect);
    regions.push(region);
  }
  return regions;
}

/**
 * Whether a corner inset is still worth looking for once the first regions are chosen: not in
 * a portrait frame (its band is searched) nor where the rest of the frame stays still (that
 * inset is found already).
 */
export function wantsCornerInset(aspect: number | undefined, chosen: readonly PictureRegion[]): boolean {
  return !(aspect !== undefined && aspect <= MAX_PORTRAIT_ASPECT) && !chosen.some((region) => region.stillAround);
}

/** The corner inset over moving footage in the first samples, unless the plain hash or a chosen region sees it. */
export function cornerInsetRegion(
  frames: readonly Uint8Array[],
  chosen: readonly PictureRegion[],
  size = FRAME_SIZE,
): PictureRegion | undefined {
  const rect = cornerInset(frames, size);
  const last = frames[frames.length - 1];
  const seen = [...(last ? [contentRect(last, size)] : []), ...chosen.map((region) => region.rect)];
  return rect && !seen.some((other) => near(rect, other)) ? { rect, stillAround: false } : undefined;
}
