import { describe, expect, it } from "vitest";
import { centreStrip, CROP_SHIFTS, cropOfStrip, hashCentreStrip, hashShifted } from "../../../src/fingerprint/centre-strip.js";
import { isStripRow, stripIndexEntries, stripRowSample } from "../../../src/fingerprint/stored-rows.js";
import { FingerprintBuilder } from "../../../src/fingerprint/fingerprint-builder.js";
import { FRAME_SIZE, hammingDistance, type Hash64 } from "../../../src/fingerprint/frame-hash.js";
import { indexEntries } from "../../../src/fingerprint/signature.js";

const WIDE = 16 / 9;
const PORTRAIT = 9 / 16;
/** The share of a 16:9 picture's width a 9:16 crop keeps. */
const CROP_WIDTH = PORTRAIT / WIDE;

/** A scene: smooth detail in both directions over the unit square, different for each seed. */
const scene = (seed: number) => (u: number, v: number) =>
  128 +
  40 * Math.sin(7 * u + seed) * Math.cos(5 * v - seed) +
  30 * Math.sin(23 * u * (1 + seed / 10) + 11 * v) +
  25 * Math.cos(31 * u - 3 * seed + 17 * v);

/** The 64 × 64 grey frame of a picture's window [u0, u0 + width] × [0, 1] of a scene. */
function render(picture: (u: number, v: number) => number, u0 = 0, width = 1): Uint8Array {
  const gray = new Uint8Array(FRAME_SIZE * FRAME_SIZE);
  for (let y = 0; y < FRAME_SIZE; y += 1) {
    for (let x = 0; x < FRAME_SIZE; x += 1)
      gray[y * FRAME_SIZE + x] = picture(u0 + (width * (x + 0.5)) / FRAME_SIZE, (y + 0.5) / FRAME_SIZE);
  }
  return gray;
}

/** A 9:16 crop of a 16:9 scene, its middle `offCentre` of the width from the picture's. */
const crop = (seed: number, offCentre = 0) => render(scene(seed), 0.5 + offCentre - CROP_WIDTH / 2, CROP_WIDTH);
const bits = (a: Hash64 | undefined, b: Hash64 | undefined) => hammingDistance(a!, b!);

describe("centreStrip", () => {
  it("is the middle of a landscape picture a 9:16 crop keeps, from the frame's aspect", () => {
    const whole = { x0: 0, y0: 0, x1: FRAME_SIZE, y1: FRAME_SIZE };
    expect(centreStrip(whole, WIDE)).toEqual({ x0: 32 - 10.125, y0: 0, x1: 32 + 10.125, y1: FRAME_SIZE });
    expect(centreStrip(whole, 4 / 3)?.x1).toBeCloseTo(32 + 13.5);
    // A 16:9 picture letterboxed in a 4:3 frame: the same share of the picture's width, over its height.
    expect(centreStrip({ x0: 0, y0: 8, x1: FRAME_SIZE, y1: 56 }, 4 / 3)).toEqual({ x0: 32 - 10.125, y0: 8, x1: 32 + 10.125, y1: 56 });
    expect(centreStrip(whole, 1)).toBeUndefined();
    expect(centreStrip(whole, PORTRAIT)).toBeUndefined();
  });
});

describe("a centre crop against the stored centre strip", () => {
  it("hashes a centred crop as the strip it was cut from, and an unrelated crop far from it", () => {
    for (const seed of [1, 2, 3]) {
      const strip = hashCentreStrip(render(scene(seed)), WIDE);
      expect(bits(hashShifted(crop(seed), 0), strip)).toBeLessThanOrEqual(6);
      expect(bits(hashShifted(crop(seed + 10), 0), strip)).toBeGreaterThan(12);
    }
  });

  it("finds a crop taken off centre through the shift that puts its window back", () => {
    const strip = hashCentreStrip(render(scene(4)), WIDE);
    // 3.2 % of the picture's width to the right: a tenth of the crop's width.
    const offCentre = crop(4, 0.1 * CROP_WIDTH);
    expect(bits(hashShifted(offCentre, 0), strip)).toBeGreaterThan(12);
    expect(bits(hashShifted(offCentre, -0.1), strip)).toBeLessThanOrEqual(6);
    expect(cropOfStrip(WIDE, -0.1)).toEqual([0.373, 0, 0.69, 1]);
    expect(cropOfStrip(null, 0)).toEqual([0.342, 0, 0.658, 1]);
  });
});

describe("strip rows", () => {
  it("are the strip's index entries with their samples stored negative, told apart by the sign", () => {
    const strip = Array.from({ length: 40 }, (_, i) => hashCentreStrip(render(scene(i % 5)), WIDE));
    const entries = stripIndexEntries(strip);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.map((e) => ({ key: e.key, sample: stripRowSample(e.sample) }))).toEqual(indexEntries(strip));
    expect(entries.every((e) => isStripRow(e.sample))).toBe(true);
    expect(isStripRow(0)).toBe(false);
  });
});

describe("FingerprintBuilder's aspect views", () => {
  const frames = [1, 2, 3, 4, 5].map((seed) => render(scene(seed)));

  it("stores a landscape video's centre strip, hashing the frames that came before the aspect too", () => {
    const builder = new FingerprintBuilder();
    frames.forEach((gray, i) => i < 2 && builder.addSample(i, gray));
    builder.setFrameAspect(WIDE);
    frames.forEach((gray, i) => i >= 2 && builder.addSample(i, gray));
    expect(builder.stripSignature()).toEqual(frames.map((gray) => hashCentreStrip(gray, WIDE)));
    expect(builder.searched().crops).toEqual([]);
  });

  it("hashes no strip when none is to be stored (INDEX_CENTRE_STRIPS off)", () => {
    const builder = new FingerprintBuilder({ storeCentreStrip: false });
    builder.setFrameAspect(WIDE);
    frames.forEach((gray, i) => builder.addSample(i, gray));
    expect(builder.stripSignature()).toBeNull();
    expect(builder.signature()).toHaveLength(frames.length);
  });

  it("searches a portrait video's picture at each shift, and stores no strip for it", () => {
    const builder = new FingerprintBuilder();
    builder.setFrameAspect(PORTRAIT);
    frames.forEach((gray, i) => builder.addSample(i, gray));
    expect(builder.stripSignature()).toBeNull();
    expect(builder.searched().crops).toEqual(
      CROP_SHIFTS.map((shift) => ({ shift, signature: frames.map((gray) => hashShifted(gray, shift)) })),
    );
  });
});
