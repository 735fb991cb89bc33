import { describe, expect, it } from "vitest";
import { SAMPLE_RATE } from "../../../src/fingerprint/signature.js";
import { explainPair } from "../../../src/match/explain-pair.js";
import { mulberry32 } from "../../../scripts/bench/random-scenes.js";
import { reencoded, syntheticSignature } from "../../../scripts/bench/synthetic.js";

const footage = (
  signature: ReturnType<typeof syntheticSignature>,
  mirrored = syntheticSignature(mulberry32(9), signature.length / SAMPLE_RATE),
) => ({
  videoNum: 2,
  signature,
  mirrored,
  regions: [],
  durationSec: signature.length / SAMPLE_RATE,
});

describe("explainPair (why a query does or does not match a stored video)", () => {
  const rng = mulberry32(3);
  const source = syntheticSignature(rng, 90);
  const stored = { signature: source, stripSignature: null, durationSec: 90 };

  it("follows a fragment through the keys, the voting and the verification to its verdict", () => {
    const fragment = reencoded(rng, source.slice(30 * SAMPLE_RATE, 55 * SAMPLE_RATE));
    const [picture, mirror] = explainPair(stored, footage(fragment));
    expect(picture!.view).toBe("picture");
    expect(picture!.keysHit).toBeGreaterThan(1);
    expect(picture!.candidate?.votes).toBeGreaterThanOrEqual(2);
    expect(Math.abs(picture!.candidate!.offsetSec - 30)).toBeLessThanOrEqual(1);
    const [best] = picture!.alignments;
    expect(best).toMatchObject({ offsetSec: 30, rate: 1, verdict: { kind: "partial", offsetSec: 30 } });
    expect(best!.matchedSec).toBeGreaterThan(20);
    expect(mirror).toMatchObject({ view: "mirror image", keysHit: 0, candidate: undefined });
  });

  it("tells footage the keys miss from footage that is not there: the pictures are compared whatever the keys", () => {
    // Found only through its mirror image: the picture view has no candidate, the mirror view has one.
    const flipped = reencoded(rng, source.slice(10 * SAMPLE_RATE, 40 * SAMPLE_RATE));
    const [picture, mirror] = explainPair(stored, footage(syntheticSignature(mulberry32(5), 30), flipped));
    expect(picture!.candidate).toBeUndefined();
    expect(picture!.alignments.every((a) => a.verdict === undefined)).toBe(true);
    expect(mirror!.candidate).toBeDefined();
    expect(mirror!.alignments[0]).toMatchObject({ offsetSec: 10, verdict: { kind: "partial" } });
  });

  it("follows a portrait upload through a stored centre strip, as it is and shifted", () => {
    const strip = syntheticSignature(rng, 90);
    const crop = reencoded(rng, strip.slice(20 * SAMPLE_RATE, 50 * SAMPLE_RATE));
    const other = syntheticSignature(mulberry32(6), 30);
    const crops = [
      { shift: -0.05, signature: other },
      { shift: 0.05, signature: crop },
    ];
    const views = explainPair({ ...stored, stripSignature: strip }, { ...footage(other), crops });
    expect(views.map((v) => v.view)).toEqual([
      "picture",
      "as a crop of the centre strip, shifted 0",
      "as a crop of the centre strip, shifted -0.05",
      "as a crop of the centre strip, shifted 0.05",
      "mirror image",
    ]);
    expect(views[2]!.candidate).toBeUndefined();
    expect(views[3]!.candidate).toBeDefined();
    expect(views[3]!.alignments[0]).toMatchObject({ offsetSec: 20, verdict: { kind: "partial" } });
  });
});
