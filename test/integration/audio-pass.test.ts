import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { AUDIO_ITEM_SEC, changingShare, compareSoundtracks, decodeAudioPrint } from "../../src/fingerprint/audio-print.js";
import { runAudioPass } from "../../src/media/audio-pass.js";
import { ProcessGuard } from "../../src/media/process-guard.js";

/** The audio pass on real ffmpeg (its `chromaprint` muxer): soundtracks of generated videos. */
let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "audio-pass-"));
  const scenes = [{ source: "testsrc2", durationSec: 24 }];
  await renderScenes(file("melody.mp4"), scenes, { melodySeed: 3 });
  await renderScenes(file("other-melody.mp4"), scenes, { melodySeed: 4 });
  await renderScenes(file("tone.mp4"), scenes, { audioHz: 440 });
  // The same soundtrack 4 s in, re-encoded to Opus at a low bitrate and another sample rate.
  await transcode(file("melody.mp4"), file("melody-copy.mkv"), [
    "-ss",
    "4",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-c:a",
    "libopus",
    "-b:a",
    "32k",
    "-ar",
    "48000",
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const print = async (name: string, durationSec = 24) =>
  decodeAudioPrint(
    await runAudioPass({
      guard: new ProcessGuard(2000),
      ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
      filePath: file(name),
      policy: { maxPixels: 7680 * 4320 },
      demuxer: undefined,
      durationSec,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    }),
  );

describe("the soundtrack's print (ffmpeg's chromaprint muxer)", () => {
  it("prints a changing soundtrack over its length, and a tone as one that never changes", async () => {
    const melody = await print("melody.mp4");
    expect(melody.length).toBeGreaterThan(0.8 * (24 / AUDIO_ITEM_SEC));
    expect(melody.length).toBeLessThan(24 / AUDIO_ITEM_SEC + 1);
    expect(changingShare(melody)).toBeGreaterThan(0.5);
    expect(changingShare(await print("tone.mp4"))).toBe(0);
  });

  it("tells the same soundtrack re-encoded, at the picture's alignment, from another", async () => {
    const melody = await print("melody.mp4");
    const copy = await print("melody-copy.mkv", 20);
    const shared = { querySegment: [0, 20] as const, refSegment: [4, 24] as const, rate: 1 };
    expect(compareSoundtracks(copy, melody, shared)).toBe("agrees");
    expect(compareSoundtracks(copy, melody, { ...shared, refSegment: [2, 22] })).toBe("differs");
    expect(compareSoundtracks(await print("other-melody.mp4"), melody, { ...shared, querySegment: [4, 24] })).toBe("differs");
  });

  it("keeps no more than the declared duration's worth: a header that understates the length buys no memory", async () => {
    const melody = await print("melody.mp4", 5);
    expect(melody.length).toBeLessThanOrEqual(Math.ceil(5 / AUDIO_ITEM_SEC) + 64);
  });
});
