/**
 * Synthetic signatures for the index benchmarks: a video is a run of shots with realistic
 * lengths (log-normal, median ≈ 3.5 s, a few long takes); each shot is one random picture
 * that drifts a little from sample to sample, as footage does.
 */
import type { Hash64 } from "../../src/fingerprint/frame-hash.js";
import { SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import type { Rng } from "./random-scenes.js";

export function shotLengthsSec(rng: Rng, totalSec: number): number[] {
  const out: number[] = [];
  let left = totalSec;
  while (left > 0) {
    // Box-Muller normal → log-normal(ln 3.5, 0.8), clamped to 0.5 … 60 s.
    const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const sec = Math.min(left, Math.max(0.5, Math.min(60, Math.exp(Math.log(3.5) + 0.8 * normal))));
    out.push(sec);
    left -= sec;
  }
  return out;
}

export function syntheticSignature(rng: Rng, totalSec: number): (Hash64 | undefined)[] {
  const rand32 = () => Math.floor(rng() * 2 ** 32) >>> 0;
  const out: (Hash64 | undefined)[] = [];
  for (const sec of shotLengthsSec(rng, totalSec)) {
    let hash: Hash64 = [rand32(), rand32()];
    const samples = Math.max(1, Math.round(sec * SAMPLE_RATE));
    for (let i = 0; i < samples; i += 1) {
      if (rng() < 0.3) hash = [(hash[0] ^ (1 << Math.floor(rng() * 32))) >>> 0, (hash[1] ^ (1 << Math.floor(rng() * 32))) >>> 0];
      out.push(hash);
    }
  }
  return out;
}

/** A re-encoded copy: each sample loses a few bits. */
export function reencoded(rng: Rng, signature: readonly (Hash64 | undefined)[]): (Hash64 | undefined)[] {
  return signature.map((h) => (h ? [(h[0] ^ (1 << Math.floor(rng() * 32))) >>> 0, (h[1] ^ (1 << Math.floor(rng() * 32))) >>> 0] : h));
}

/**
 * Every picture with two of its coarse bits (coarseBits) flipped: each index key, 16 coarse
 * bits of two pictures, moves four bits (no one-bit neighbour meets it), each picture two.
 */
export function coarseBitsMoved(signature: readonly (Hash64 | undefined)[]): (Hash64 | undefined)[] {
  return signature.map((h) => h && [(h[0] ^ (1 << 30) ^ (1 << 23)) >>> 0, h[1]]);
}

/**
 * A catalog with the statistics of real footage rather than random pictures: pictures crowd
 * around a few dozen layouts (sky over ground, a face in the middle…), so their coarse bits
 * are far from uniform; shots are longer (median 5 s, some minutes) and most are still or
 * slow; some cuts fade through black; and a fifth of the videos open with one of a few
 * channel intros that many other videos share.
 */
export interface RealisticWorld {
  readonly layouts: readonly Hash64[];
  readonly intros: readonly (Hash64 | undefined)[][];
}

const flipBits = (hash: Hash64, count: number, rng: Rng): Hash64 => {
  let [hi, lo] = hash;
  for (let i = 0; i < count; i += 1) {
    const bit = Math.floor(rng() * 64);
    if (bit < 32) hi = (hi ^ (1 << bit)) >>> 0;
    else lo = (lo ^ (1 << (bit - 32))) >>> 0;
  }
  return [hi, lo];
};

export function realisticWorld(rng: Rng): RealisticWorld {
  const rand32 = () => Math.floor(rng() * 2 ** 32) >>> 0;
  const layouts = Array.from({ length: 48 }, (): Hash64 => [rand32(), rand32()]);
  const world = { layouts, intros: [] as (Hash64 | undefined)[][] };
  world.intros.push(...Array.from({ length: 30 }, () => realisticShots(rng, world, 5 + rng() * 5)));
  return world;
}

function realisticShots(rng: Rng, world: Pick<RealisticWorld, "layouts">, totalSec: number): (Hash64 | undefined)[] {
  const out: (Hash64 | undefined)[] = [];
  let left = totalSec;
  while (left > 0) {
    const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const sec = Math.min(left, Math.max(0.5, Math.min(120, Math.exp(Math.log(5) + normal))));
    left -= sec;
    let picture = flipBits(world.layouts[Math.floor(rng() * world.layouts.length)]!, 4 + Math.floor(rng() * 12), rng);
    const kind = rng();
    const drift = kind < 0.4 ? 0 : kind < 0.75 ? 0.15 : 0.8; // still, slow, moving
    const samples = Math.max(1, Math.round(sec * SAMPLE_RATE));
    const fade = rng() < 0.15 ? 2 + Math.floor(rng() * 5) : 0;
    for (let i = 0; i < samples; i += 1) {
      if (rng() < drift) picture = flipBits(picture, 1 + Math.floor(rng() * 2), rng);
      // A still picture still wavers by a bit now and then (noise, compression).
      out.push(i >= samples - fade ? undefined : drift === 0 && rng() < 0.1 ? flipBits(picture, 1, rng) : picture);
    }
  }
  return out;
}

export function realisticSignature(rng: Rng, world: RealisticWorld, totalSec: number): (Hash64 | undefined)[] {
  const intro = rng() < 0.2 ? world.intros[Math.floor(rng() * world.intros.length)]! : [];
  return [...intro, ...realisticShots(rng, world, Math.max(1, totalSec - intro.length / SAMPLE_RATE))];
}
