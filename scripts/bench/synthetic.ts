/**
 * Synthetic signatures for the index benchmarks: a video is a run of shots with realistic
 * lengths (log-normal, median ≈ 3.5 s, a few long takes); each shot is one random picture
 * that drifts a little from sample to sample, as footage does.
 */
import type { Hash64 } from "../../src/fingerprint/frame-hash.js";
import { SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import type { Rng } from "./corpus.js";

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
