import { describe, expect, it } from "vitest";
import {
  AUDIO_INDEX_STRIDE,
  AUDIO_ITEM_SEC,
  audioIndexEntries,
  audioProbes,
  type AudioPrint,
} from "../../../src/fingerprint/audio-print.js";
import { indexEntries, SAMPLE_RATE } from "../../../src/fingerprint/signature.js";
import { sampleInView, stripIndexEntries, videoIndexEntries, type StoredView } from "../../../src/fingerprint/stored-rows.js";
import { mulberry32 } from "../../../scripts/bench/random-scenes.js";
import { syntheticSignature } from "../../../scripts/bench/synthetic.js";

const rng = mulberry32(23);
/** A soundtrack whose every item is a change, `seconds` long. */
const melody = (seconds: number): AudioPrint =>
  Uint32Array.from({ length: Math.round(seconds / AUDIO_ITEM_SEC) }, () => Math.floor(rng() * 2 ** 32) >>> 0);
const VIEWS: readonly StoredView[] = ["picture", "centre-strip", "soundtrack"];

describe("a stored video's index rows in three views", () => {
  const picture = syntheticSignature(rng, 60);
  const strip = syntheticSignature(rng, 60);
  const sound = melody(60);
  const rows = videoIndexEntries(picture, strip, sound);

  it("keeps each view's samples apart, so every row belongs to exactly one view and maps back to its own samples", () => {
    for (const row of rows) expect(VIEWS.filter((view) => sampleInView(row.sample, view) !== undefined)).toHaveLength(1);
    const inView = (view: StoredView) =>
      rows.flatMap(({ key, sample }) => {
        const own = sampleInView(sample, view);
        return own === undefined ? [] : [{ key, sample: own }];
      });
    expect(inView("picture")).toEqual(indexEntries(picture));
    expect(inView("centre-strip")).toEqual(indexEntries(strip));
    expect(inView("soundtrack")).toEqual(audioIndexEntries(sound));
    expect(new Set(rows.map((r) => `${r.key}:${r.sample}`)).size).toBe(rows.length);
    expect(videoIndexEntries(picture, strip)).toEqual([...indexEntries(picture), ...stripIndexEntries(strip)]);
  });

  it("stores about one soundtrack row a second, on the picture's clock, and probes every changing item", () => {
    const stored = audioIndexEntries(sound);
    expect(stored).toHaveLength(Math.floor((sound.length - 1) / AUDIO_INDEX_STRIDE));
    expect(stored[0]).toEqual({
      key: sound[AUDIO_INDEX_STRIDE]! | 0,
      sample: Math.round(AUDIO_INDEX_STRIDE * AUDIO_ITEM_SEC * SAMPLE_RATE),
    });
    expect(audioProbes(sound)).toHaveLength(sound.length - 1);
    // Every stored row is among the probes of the same soundtrack, at the same sample.
    const probed = new Set(audioProbes(sound).map((p) => `${p.key}:${p.sample}`));
    expect(stored.every((row) => probed.has(`${row.key}:${row.sample}`))).toBe(true);
  });

  it("gives silence, a tone or hum (items that do not change) no rows and no probes", () => {
    const tone = new Uint32Array(400).fill(0x5a5a5a5a);
    const hum = Uint32Array.from({ length: 400 }, (_, i) => 0x5a5a5a5a ^ (i % 2)); // one bit flickering
    for (const flat of [tone, hum]) {
      expect(audioIndexEntries(flat)).toEqual([]);
      expect(audioProbes(flat)).toEqual([]);
    }
  });
});
