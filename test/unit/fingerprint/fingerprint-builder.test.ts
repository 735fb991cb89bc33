import { describe, expect, it } from "vitest";
import { FingerprintBuilder } from "../../../src/fingerprint/fingerprint-builder.js";
import { FRAME_SIZE, hashFrames, hashRegion } from "../../../src/fingerprint/frame-hash.js";
import { pictureRegions, REGION_SAMPLES } from "../../../src/fingerprint/picture-region.js";

const hashFrame = (gray: Uint8Array) => hashFrames(gray)?.hash;

/** A grey frame with a picture: a diagonal gradient shifted by `seed`. */
function frame(seed: number): Uint8Array {
  const gray = new Uint8Array(FRAME_SIZE * FRAME_SIZE);
  for (let y = 0; y < FRAME_SIZE; y += 1) for (let x = 0; x < FRAME_SIZE; x += 1) gray[y * FRAME_SIZE + x] = (x * 3 + y * seed * 2) % 256;
  return gray;
}

describe("FingerprintBuilder", () => {
  it("takes samples out of order (parallel segments) and reports only the prefix with none missing", () => {
    const builder = new FingerprintBuilder();
    builder.addSample(0, frame(1));
    builder.addSample(3, frame(4));
    builder.addSample(4, frame(5));
    expect(builder.sampleCount).toBe(1);
    expect(builder.signature()).toEqual([hashFrame(frame(1))]);
    builder.addSample(2, frame(3));
    builder.addSample(1, frame(2));
    expect(builder.sampleCount).toBe(5);
    expect(builder.signature()).toEqual([1, 2, 3, 4, 5].map((seed) => hashFrame(frame(seed))));
    expect(builder.mirroredSignature()).toEqual([1, 2, 3, 4, 5].map((seed) => hashFrames(frame(seed))?.mirrored));
  });
});

describe("FingerprintBuilder regions", () => {
  it("chooses the regions once REGION_SAMPLES samples and the aspect are known, and hashes every sample in them", () => {
    const builder = new FingerprintBuilder();
    // A still picture: no part of it moves or cuts, so only the portrait band is searched.
    const samples = Array.from({ length: REGION_SAMPLES + 6 }, () => frame(3));
    samples.forEach((gray, t) => t < REGION_SAMPLES + 2 && builder.addSample(t, gray));
    expect(builder.regionSignatures()).toEqual([]);
    builder.setFrameAspect(9 / 16);
    samples.forEach((gray, t) => t >= REGION_SAMPLES + 2 && builder.addSample(t, gray));
    const [found] = pictureRegions(samples.slice(0, REGION_SAMPLES), 9 / 16);
    if (!found) throw new Error("a portrait frame has its band searched");
    const band = found.rect;
    expect(builder.regionSignatures()).toEqual([
      {
        region: [band.x0 / FRAME_SIZE, band.y0 / FRAME_SIZE, band.x1 / FRAME_SIZE, band.y1 / FRAME_SIZE],
        stillAround: false,
        signature: samples.map((gray) => hashRegion(gray, band)),
      },
    ]);
  });

  it("chooses them at the end for a video shorter than REGION_SAMPLES, aspect or not", () => {
    const builder = new FingerprintBuilder();
    for (let t = 0; t < 8; t += 1) builder.addSample(t, frame(3));
    builder.finish();
    expect(builder.regionSignatures()).toEqual([]);
  });
});
