import { describe, expect, it } from "vitest";
import { SAMPLE_RATE } from "../../../src/fingerprint/signature.js";
import { findDuplicates, toStoredMatch } from "../../../src/match/find-duplicates.js";
import { reencoded, syntheticSignature } from "../../../scripts/bench/synthetic.js";
import { InMemoryIndex } from "../ingest/fakes.js";

/** A small seeded generator (mulberry32), so the catalog is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("findDuplicates (index lookup → voting → verification, on an in-memory index)", () => {
  const random = rng(7);
  const catalog = Array.from({ length: 40 }, () => syntheticSignature(random, 60 + Math.floor(random() * 60)));
  const index = new InMemoryIndex();
  catalog.forEach((signature, num) => index.add(`video-${num}`, num, `v${num}.mp4`, signature));

  it("finds a re-encoded whole copy as a near-duplicate at offset 0", async () => {
    const copy = reencoded(random, catalog[7]!);
    const found = await findDuplicates(index, -1, copy, copy.length / SAMPLE_RATE);
    expect(found.map((d) => d.reference.key)).toEqual(["v7.mp4"]);
    expect(toStoredMatch(found[0]!)).toMatchObject({ otherVideoId: "video-7", kind: "near-duplicate", offsetSec: 0 });
  });

  it("finds a 20 s fragment as partial, with the offset of where it was cut from", async () => {
    const fragment = reencoded(random, catalog[12]!.slice(30 * SAMPLE_RATE, 50 * SAMPLE_RATE));
    const [match] = await findDuplicates(index, -1, fragment, fragment.length / SAMPLE_RATE);
    expect(match?.reference.key).toBe("v12.mp4");
    expect(match?.verdict).toMatchObject({ kind: "partial", offsetSec: 30 });
  });

  it("reports nothing for footage it has never stored", async () => {
    const unrelated = syntheticSignature(rng(99), 90);
    expect(await findDuplicates(index, -1, unrelated, 90)).toEqual([]);
  });

  it("never reports the query video itself", async () => {
    expect(await findDuplicates(index, 3, catalog[3]!, catalog[3]!.length / SAMPLE_RATE)).toEqual([]);
  });
});
