import { describe, expect, it } from "vitest";
import {
  AUDIO_ITEM_SEC,
  changingShare,
  compareSoundtracks,
  decodeAudioPrint,
  encodeAudioPrint,
  type AudioPrint,
} from "../../../src/fingerprint/audio-print.js";
import { mulberry32 } from "../../../scripts/bench/random-scenes.js";

const rng = mulberry32(19);
const word = () => Math.floor(rng() * 2 ** 32) >>> 0;
/** A soundtrack that keeps changing: an independent item every AUDIO_ITEM_SEC. */
const changing = (seconds: number): AudioPrint => Uint32Array.from({ length: Math.round(seconds / AUDIO_ITEM_SEC) }, word);
/** The same sound re-encoded: `bits` random bits of each item flipped. */
const reencoded = (print: AudioPrint, bits: number): AudioPrint =>
  print.map((item) => {
    let flipped = item;
    for (let b = 0; b < bits; b += 1) flipped ^= 1 << Math.floor(rng() * 32);
    return flipped >>> 0;
  });
/** The print from `fromSec` on, on the item grid. */
const from = (print: AudioPrint, fromSec: number) => print.slice(Math.round(fromSec / AUDIO_ITEM_SEC));
/** The sound played `rate` times as fast: item i shows the source's item at i · rate. */
const retimed = (print: AudioPrint, rate: number): AudioPrint =>
  Uint32Array.from({ length: Math.floor(print.length / rate) }, (_, i) => print[Math.round(i * rate)]!);
const shared = (querySegment: [number, number], refSegment: [number, number], rate = 1) => ({ querySegment, refSegment, rate });

describe("soundtrack prints (Chromaprint items)", () => {
  it("round-trips the muxer's little-endian words", () => {
    const print = changing(3);
    const bytes = encodeAudioPrint(print);
    expect(bytes.length).toBe(4 * print.length);
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(print[0]);
    expect(decodeAudioPrint(bytes)).toEqual(print);
    // A trailing partial word (a stream cut mid-item) is dropped.
    expect(decodeAudioPrint(Uint8Array.from([...bytes, 1, 2]))).toEqual(print);
  });

  it("measures how much of a print changes: a tone or silence not at all", () => {
    expect(changingShare(changing(20))).toBeGreaterThan(0.95);
    expect(changingShare(new Uint32Array(160).fill(0x214df977))).toBe(0);
    expect(changingShare(new Uint32Array(0))).toBe(0);
  });

  it("agrees along the picture's alignment, through a re-encode, and only there", () => {
    const original = changing(60);
    const copy = reencoded(from(original, 12), 3);
    expect(compareSoundtracks(copy, original, shared([0, 40], [12, 52]))).toBe("agrees");
    expect(compareSoundtracks(copy, original, shared([5, 30], [17, 42]))).toBe("agrees");
    // One second off, or another soundtrack altogether: the sounds differ.
    expect(compareSoundtracks(copy, original, shared([0, 40], [13, 53]))).toBe("differs");
    expect(compareSoundtracks(changing(40), original, shared([0, 40], [12, 52]))).toBe("differs");
  });

  it("follows a playback rate", () => {
    const original = changing(60);
    const faster = reencoded(retimed(original, 1.25), 2);
    expect(compareSoundtracks(faster, original, shared([0, 40], [0, 50], 1.25))).toBe("agrees");
    expect(compareSoundtracks(faster, original, shared([0, 40], [0, 40], 1))).toBe("differs");
  });

  it("takes a soundtrack that does not change, or too little of one, as no evidence", () => {
    const tone = new Uint32Array(400).fill(0x214df977);
    expect(compareSoundtracks(tone, tone, shared([0, 40], [0, 40]))).toBe("no-evidence");
    const original = changing(60);
    // 1.5 s of shared footage: too few items to tell.
    expect(compareSoundtracks(from(original, 10), original, shared([0, 1.5], [10, 11.5]))).toBe("no-evidence");
    // No overlap with the stored print at all (the segment lies past its end).
    expect(compareSoundtracks(original, original.slice(0, 50), shared([20, 40], [20, 40]))).toBe("no-evidence");
  });
});
