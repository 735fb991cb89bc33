import { FRAME_SIZE, type Rect } from "./frame-hash.js";

/**
 * Moves each side of a region found roughly (a portrait band assumed to span the width) onto
 * the border of the picture it holds: the line within EDGE_REACH pixels across which luma
 * steps the most, over the samples, where two pictures meet (a sharp picture and its blurred
 * fill). Only onto a clear step: inside one picture's detail, lines step alike, and the side
 * stays. Pure.
 */
const EDGE_REACH = 4;
/** A side moves only onto a step this many times the median step within its reach. */
const EDGE_CONTRAST = 2;

type Side = "x0" | "x1" | "y0" | "y1";

export function refineEdges(frames: readonly Uint8Array[], rect: Rect, size = FRAME_SIZE): Rect {
  if (frames.length === 0) return rect;
  const span = (from: number, to: number) => [Math.max(0, Math.round(from)), Math.min(size, Math.round(to))] as const;
  const [rowFrom, rowTo] = span(rect.y0, rect.y1);
  const [colFrom, colTo] = span(rect.x0, rect.x1);
  // Mean luma step between column k − 1 and k over the region's rows (or row k − 1 and k over its columns).
  const step = (vertical: boolean, k: number) => {
    let sum = 0;
    for (const gray of frames) {
      if (vertical) for (let y = rowFrom; y < rowTo; y += 1) sum += Math.abs(gray[y * size + k]! - gray[y * size + k - 1]!);
      else for (let x = colFrom; x < colTo; x += 1) sum += Math.abs(gray[k * size + x]! - gray[(k - 1) * size + x]!);
    }
    return sum / (frames.length * Math.max(1, vertical ? rowTo - rowFrom : colTo - colFrom));
  };
  const refined = (side: Side): number => {
    const vertical = side === "x0" || side === "x1";
    const at = Math.round(rect[side]);
    const candidates: { k: number; step: number }[] = [];
    for (let k = Math.max(1, at - EDGE_REACH); k <= Math.min(size - 1, at + EDGE_REACH); k += 1)
      candidates.push({ k, step: step(vertical, k) });
    if (candidates.length === 0) return rect[side];
    const best = candidates.reduce((a, b) => (b.step > a.step ? b : a));
    const median = [...candidates].sort((a, b) => a.step - b.step)[Math.floor(candidates.length / 2)]!.step;
    return best.step >= EDGE_CONTRAST * median ? best.k : rect[side];
  };
  return { x0: refined("x0"), y0: refined("y0"), x1: refined("x1"), y1: refined("y1") };
}
