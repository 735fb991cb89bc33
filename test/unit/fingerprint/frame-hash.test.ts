import { describe, expect, it } from "vitest";
import { coarseBits, contentRect, FRAME_SIZE, hammingDistance, hashFrames } from "../../../src/fingerprint/frame-hash.js";

const hashFrame = (gray: Uint8Array) => hashFrames(gray)?.hash;

/** The frame flipped left to right. */
function mirrored(gray: Uint8Array, size = FRAME_SIZE): Uint8Array {
  return gray.map((_, i) => gray[Math.floor(i / size) * size + (size - 1 - (i % size))]!);
}

/** A deterministic "picture": smooth blobs whose layout depends on the seed. */
function picture(seed: number, size = FRAME_SIZE): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const u = x / size;
      const v = y / size;
      const value =
        128 +
        60 * Math.sin(6.3 * u * (1 + (seed % 3)) + seed) +
        50 * Math.cos(5.1 * v * (1 + (seed % 5)) - seed * 0.7) +
        20 * Math.sin(9 * (u + v) + seed * 1.3);
      out[y * size + x] = Math.max(40, Math.min(255, Math.round(value)));
    }
  }
  return out;
}

/** Draws `inner` into a black frame inside the given box (nearest-neighbour scaling). */
function boxed(inner: Uint8Array, box: { x0: number; y0: number; x1: number; y1: number }, size = FRAME_SIZE): Uint8Array {
  const out = new Uint8Array(size * size);
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      out[(box.y0 + y) * size + box.x0 + x] = inner[Math.floor((y * size) / h) * size + Math.floor((x * size) / w)]!;
    }
  }
  return out;
}

describe("frame hashes", () => {
  it("are stable for the same picture and far apart for different ones", () => {
    const a = hashFrame(picture(1))!;
    expect(hammingDistance(a, hashFrame(picture(1))!)).toBe(0);
    const distances = [2, 3, 4, 5, 6, 7].map((seed) => hammingDistance(a, hashFrame(picture(seed))!));
    expect(Math.min(...distances)).toBeGreaterThan(16);
  });

  it("survive brightness changes and noise", () => {
    const base = picture(3);
    const brighter = base.map((v) => Math.min(255, v + 12));
    const noisy = base.map((v, i) => Math.max(0, Math.min(255, v + ((i * 7919) % 7) - 3)));
    expect(hammingDistance(hashFrame(base)!, hashFrame(brighter)!)).toBeLessThanOrEqual(6);
    expect(hammingDistance(hashFrame(base)!, hashFrame(noisy)!)).toBeLessThanOrEqual(6);
  });

  it("crop black letterbox and pillarbox bars before hashing", () => {
    const base = picture(4);
    const letterbox = { x0: 0, y0: 8, x1: 64, y1: 56 };
    const pillarbox = { x0: 10, y0: 0, x1: 54, y1: 64 };
    expect(contentRect(boxed(base, letterbox))).toEqual(letterbox);
    expect(contentRect(boxed(base, pillarbox))).toEqual(pillarbox);
    expect(hammingDistance(hashFrame(base)!, hashFrame(boxed(base, letterbox))!)).toBeLessThanOrEqual(6);
    expect(hammingDistance(hashFrame(base)!, hashFrame(boxed(base, pillarbox))!)).toBeLessThanOrEqual(6);
  });

  it("give no hash for a frame without a picture (black, flat card)", () => {
    expect(hashFrame(new Uint8Array(FRAME_SIZE * FRAME_SIZE))).toBeUndefined();
    expect(hashFrame(new Uint8Array(FRAME_SIZE * FRAME_SIZE).fill(90))).toBeUndefined();
  });

  it("expose 16 coarse bits that agree where the full hashes are close", () => {
    const base = hashFrame(picture(5))!;
    const brighter = hashFrame(picture(5).map((v) => Math.min(255, v + 10)))!;
    expect(coarseBits(base)).toBe(coarseBits(brighter));
    expect(coarseBits(base)).toBeLessThan(1 << 16);
  });

  it("give the hash of the mirror image without flipping the frame: equal to the flipped frame's, far from its own", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7]) {
      const frame = picture(seed);
      const letterboxed = boxed(frame, { x0: 0, y0: 8, x1: FRAME_SIZE, y1: FRAME_SIZE - 8 });
      for (const gray of [frame, letterboxed]) {
        const hashes = hashFrames(gray)!;
        expect(hammingDistance(hashes.mirrored, hashFrames(mirrored(gray))!.hash)).toBe(0);
        expect(hammingDistance(hashes.mirrored, hashes.hash)).toBeGreaterThan(12);
      }
    }
  });
});
