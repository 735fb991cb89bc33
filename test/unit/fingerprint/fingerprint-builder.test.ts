import { describe, expect, it } from "vitest";
import { FingerprintBuilder } from "../../../src/fingerprint/fingerprint-builder.js";
import { FRAME_SIZE, hashFrames } from "../../../src/fingerprint/frame-hash.js";

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
