import { FRAME_SIZE, rectArea as area, type Rect } from "./frame-hash.js";

/**
 * An inset in a corner of the frame over other moving footage (picture-in-picture, reaction
 * videos), found from the cuts of either picture. The inset's pixels share its cuts and the
 * background's pixels share the background's, so at a cut of one of them the changed pixels
 * fill a corner rectangle, or all the frame but that rectangle, with edges where the change
 * stops. Both pictures move meanwhile, so a cut is judged against each part's own usual
 * change (its median over the samples), not against stillness. Each corner rectangle of the
 * sizes an inset has is tried, coarsely and then around the best one. Pure.
 */

/** A pixel whose luma jumps by more than this from one sample to the next is cut. */
export const CUT_LUMA = 24;
/** An inset's sides, in pixels of the sample (about 30–70 % of the frame). */
const MIN_SIDE_PX = 19;
const MAX_SIDE_PX = 45;
/** How far from the frame's edges an inset may sit, in pixels of the sample. */
const MAX_MARGIN_PX = 3;
/** The most an inset's width and height (in sample pixels) differ by, as a ratio. */
const MAX_SIDE_RATIO = 1 / 0.7;
/** A cut of the inset: this share of its pixels more than usual, the rest of the frame at most the other. */
const INSET_CUT = 0.35;
const INSET_CUT_OUTSIDE = 0.05;
/** A cut of the background: this share of its pixels more than usual, the inset at most the other. */
const BACKGROUND_CUT = 0.25;
const BACKGROUND_CUT_INSIDE = 0.03;
/** Along each inner edge the changed share differs by this much between 2 pixels in and 2 out. */
const EDGE_STEP = 0.25;
/** Cuts at moments this many samples apart or more are different cuts (one is smoothed over two). */
const DISTINCT_CUT_GAP = 3;
const MIN_CUTS = 2;

interface Corner {
  readonly right: boolean;
  readonly bottom: boolean;
}
/** A corner rectangle, in pixels of the sample. */
interface Hypothesis extends Corner {
  readonly margin: number;
  readonly width: number;
  readonly height: number;
}
interface Judged {
  readonly rect: Rect;
  readonly score: number;
}
interface Best extends Judged {
  readonly hypothesis: Hypothesis;
}

/** The corner inset the cuts of the samples show (consecutive samples, in order), if any. */
export function cornerInset(frames: readonly Uint8Array[], size = FRAME_SIZE): Rect | undefined {
  if (frames.length < 2) return undefined;
  const cuts = new CutAreas(frames, size);
  const coarse: Hypothesis[] = [];
  for (const bottom of [false, true]) {
    for (const right of [false, true]) {
      for (let margin = 0; margin <= MAX_MARGIN_PX; margin += 2) {
        for (let width = MIN_SIDE_PX; width <= MAX_SIDE_PX; width += 2) {
          for (let height = MIN_SIDE_PX; height <= MAX_SIDE_PX; height += 2) coarse.push({ right, bottom, margin, width, height });
        }
      }
    }
  }
  const found = bestOf(cuts, coarse, size);
  if (!found) return undefined;
  const h = found.hypothesis;
  const around: Hypothesis[] = [];
  for (let margin = Math.max(0, h.margin - 1); margin <= Math.min(MAX_MARGIN_PX, h.margin + 1); margin += 1) {
    for (let width = h.width - 1; width <= h.width + 1; width += 1) {
      for (let height = h.height - 1; height <= h.height + 1; height += 1) around.push({ ...h, margin, width, height });
    }
  }
  return bestOf(cuts, around, size)?.rect;
}

function bestOf(cuts: CutAreas, hypotheses: readonly Hypothesis[], size: number): Best | undefined {
  let best: Best | undefined;
  for (const hypothesis of hypotheses) {
    const judged = judge(cuts, hypothesis, size);
    if (judged && (!best || judged.score > best.score)) best = { ...judged, hypothesis };
  }
  return best;
}

function rectOf(h: Hypothesis, size: number): Rect {
  const x0 = h.right ? size - h.margin - h.width : h.margin;
  const y0 = h.bottom ? size - h.margin - h.height : h.margin;
  return { x0, y0, x1: x0 + h.width, y1: y0 + h.height };
}

/** How clearly the samples' cuts show this inset: the summed excess of its cuts, if 2 distinct ones at least. */
function judge(cuts: CutAreas, h: Hypothesis, size: number): Judged | undefined {
  if (h.width < MIN_SIDE_PX || h.width > MAX_SIDE_PX || h.height < MIN_SIDE_PX || h.height > MAX_SIDE_PX) return undefined;
  if (Math.max(h.width / h.height, h.height / h.width) > MAX_SIDE_RATIO) return undefined;
  const rect = rectOf(h, size);
  // A pixel either side of the border belongs to neither: scaling blends the two pictures there.
  const inside = grow(rect, -1, size);
  const ring = grow(rect, 1, size);
  const insideShare = cuts.pairs.map((_, t) => cuts.share(t, inside));
  const outsideArea = size * size - area(ring);
  const outsideShare = cuts.pairs.map((_, t) => (cuts.total(t) - cuts.count(t, ring)) / outsideArea);
  const usualInside = median(insideShare);
  const usualOutside = median(outsideShare);
  let score = 0;
  const at: number[] = [];
  for (let t = 0; t < cuts.pairs.length; t += 1) {
    const inset = insideShare[t]! - usualInside;
    const background = outsideShare[t]! - usualOutside;
    const insetCut = inset >= INSET_CUT && background <= INSET_CUT_OUTSIDE;
    const backgroundCut = background >= BACKGROUND_CUT && inset <= BACKGROUND_CUT_INSIDE;
    if (!(insetCut || backgroundCut) || !sharpEdges(cuts, t, h, rect, insetCut)) continue;
    score += Math.abs(inset - background);
    at.push(t);
  }
  const distinct = at.filter((t, i) => i === 0 || t - at[i - 1]! >= DISTINCT_CUT_GAP).length;
  return distinct >= MIN_CUTS ? { rect, score } : undefined;
}

/** The change stops at both inner edges: 2 pixels in and 2 pixels out differ as inset and background do. */
function sharpEdges(cuts: CutAreas, t: number, h: Corner, rect: Rect, insetCut: boolean): boolean {
  const xe = h.right ? rect.x0 : rect.x1;
  const ye = h.bottom ? rect.y0 : rect.y1;
  const rows = { y0: rect.y0 + 1, y1: rect.y1 - 1 };
  const columns = { x0: rect.x0 + 1, x1: rect.x1 - 1 };
  // Inward is towards the corner; the strips leave out the pixel on the border itself.
  const inward = (edge: number, toHigh: boolean): [number, number] => (toHigh ? [edge, edge + 2] : [edge - 2, edge]);
  const outward = (edge: number, toHigh: boolean): [number, number] => (toHigh ? [edge + 1, edge + 3] : [edge - 3, edge - 1]);
  const [vi0, vi1] = inward(xe, h.right);
  const [vo0, vo1] = outward(xe, !h.right);
  const [hi0, hi1] = inward(ye, h.bottom);
  const [ho0, ho1] = outward(ye, !h.bottom);
  const step = (inStrip: Rect, outStrip: Rect) => {
    const difference = cuts.share(t, inStrip) - cuts.share(t, outStrip);
    return (insetCut ? difference : -difference) >= EDGE_STEP;
  };
  return (
    step({ x0: vi0, x1: vi1, ...rows }, { x0: vo0, x1: vo1, ...rows }) &&
    step({ x0: columns.x0, x1: columns.x1, y0: hi0, y1: hi1 }, { x0: columns.x0, x1: columns.x1, y0: ho0, y1: ho1 })
  );
}

/** Each consecutive pair of samples' cut pixels, as summed-area tables (any rectangle's count at once). */
class CutAreas {
  readonly pairs: Int32Array[] = [];
  private readonly stride: number;

  constructor(
    frames: readonly Uint8Array[],
    private readonly size: number,
  ) {
    this.stride = size + 1;
    for (let t = 1; t < frames.length; t += 1) {
      const table = new Int32Array(this.stride * this.stride);
      const [before, after] = [frames[t - 1]!, frames[t]!];
      for (let y = 0; y < size; y += 1) {
        let row = 0;
        for (let x = 0; x < size; x += 1) {
          row += Math.abs(after[y * size + x]! - before[y * size + x]!) > CUT_LUMA ? 1 : 0;
          table[(y + 1) * this.stride + x + 1] = table[y * this.stride + x + 1]! + row;
        }
      }
      this.pairs.push(table);
    }
  }

  count(t: number, r: Rect): number {
    const table = this.pairs[t]!;
    const s = this.stride;
    const { x0, y0, x1, y1 } = grow(r, 0, this.size);
    if (x1 <= x0 || y1 <= y0) return 0;
    return table[y1 * s + x1]! - table[y0 * s + x1]! - table[y1 * s + x0]! + table[y0 * s + x0]!;
  }

  /** All the cut pixels of pair t. */
  total(t: number): number {
    return this.pairs[t]![this.stride * this.stride - 1]!;
  }

  share(t: number, r: Rect): number {
    const a = area(r);
    return a > 0 ? this.count(t, r) / a : 0;
  }
}

const clamp = (v: number, size: number) => Math.max(0, Math.min(size, v));
const grow = (r: Rect, by: number, size: number): Rect => ({
  x0: clamp(r.x0 - by, size),
  y0: clamp(r.y0 - by, size),
  x1: clamp(r.x1 + by, size),
  y1: clamp(r.y1 + by, size),
});
const median = (values: readonly number[]) => Float64Array.from(values).sort()[Math.floor(values.length / 2)]!;
