/**
 * Seeded random footage for the benchmarks: a small generator, scenes drawn from ffmpeg's
 * synthetic sources with a random view of each, and the cut rhythm of a video.
 */
import type { Scene } from "../lib/media-fixtures.js";

/** The size the corpus draws its sources at. */
export const W = 640;
export const H = 360;

export type Rng = () => number;
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A seed from a name (FNV-1a), so that each generated video has its own random stream. */
export function stringHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const between = (rng: Rng, lo: number, hi: number) => lo + rng() * (hi - lo);
export const hex = (rng: Rng) =>
  `0x${Math.floor(rng() * 0xffffff)
    .toString(16)
    .padStart(6, "0")}`;

/** One scene of random content: a source with random parameters and a random view of it. */
export function randomScene(rng: Rng, durationSec: number): Scene {
  const view = () => {
    const scale = between(rng, 0.45, 1);
    const cw = Math.round((W * scale) / 2) * 2;
    const ch = Math.round((H * scale) / 2) * 2;
    return `crop=${cw}:${ch}:${Math.floor(rng() * (W - cw))}:${Math.floor(rng() * (H - ch))},hue=h=${Math.round(rng() * 360)}:s=${between(rng, 0.6, 1.6).toFixed(2)},eq=contrast=${between(rng, 0.8, 1.3).toFixed(2)}:brightness=${between(rng, -0.08, 0.08).toFixed(2)}`;
  };
  const seed = Math.floor(rng() * 1e9);
  const kinds: (() => Scene)[] = [
    () => ({ source: "testsrc2", filters: `trim=start=${between(rng, 0, 30).toFixed(2)},setpts=PTS-STARTPTS,${view()}`, durationSec }),
    () => ({ source: "testsrc", filters: `trim=start=${between(rng, 0, 30).toFixed(2)},setpts=PTS-STARTPTS,${view()}`, durationSec }),
    () => ({
      source: `mandelbrot=start_scale=${between(rng, 0.3, 3).toFixed(3)}:start_x=${between(rng, -1.5, 0.3).toFixed(4)}:start_y=${between(rng, -0.8, 0.8).toFixed(4)}:end_pts=${Math.round(between(rng, 200, 800))}`,
      filters: view(),
      durationSec,
    }),
    () => ({
      source: `life=seed=${seed}:ratio=${between(rng, 0.05, 0.5).toFixed(2)}:mold=${Math.round(between(rng, 0, 40))}:life_color=${hex(rng)}:death_color=${hex(rng)}:mold_color=${hex(rng)}`,
      filters: view(),
      durationSec,
    }),
    () => ({
      source: `cellauto=seed=${seed}:rule=${pick(rng, [18, 22, 26, 30, 45, 60, 73, 90, 105, 110, 150])}:random_fill_ratio=${between(rng, 0.2, 0.8).toFixed(2)}`,
      filters: view(),
      durationSec,
    }),
    () => ({
      source: `sierpinski=seed=${seed}:jump=${Math.round(between(rng, 1, 100))}:type=${pick(rng, ["carpet", "triangle"])}`,
      filters: view(),
      durationSec,
    }),
    () => ({
      source: `gradients=seed=${seed}:n=${Math.round(between(rng, 2, 8))}:speed=${between(rng, 0.005, 0.05).toFixed(3)}:c0=${hex(rng)}:c1=${hex(rng)}:c2=${hex(rng)}`,
      filters: view(),
      durationSec,
    }),
  ];
  return pick(rng, kinds)();
}

export type Rhythm = "fast" | "normal" | "slow" | "single";
export function sceneDurations(rng: Rng, totalSec: number, rhythm: Rhythm): number[] {
  if (rhythm === "single") return [totalSec];
  const [lo, hi] = rhythm === "fast" ? [1, 3] : rhythm === "normal" ? [3, 8] : [8, 20];
  const out: number[] = [];
  let left = totalSec;
  while (left > 0) {
    const d = Math.min(left, Math.round(between(rng, lo, hi) * 25) / 25);
    // A sliver under a second joins the previous scene instead of making a flash cut.
    if (d < 1 && out.length > 0) out[out.length - 1]! += d;
    else out.push(d);
    left -= d;
  }
  return out;
}
