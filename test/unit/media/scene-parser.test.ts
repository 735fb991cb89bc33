import { describe, expect, it } from "vitest";
import { SceneScoreParser } from "../../../src/media/decode-output.js";

describe("SceneScoreParser", () => {
  it("pairs each frame's pts_time with its scene score and ignores other lines", () => {
    const parser = new SceneScoreParser();
    const lines = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'object':",
      "[Parsed_metadata_2 @ 0x5616] frame:0    pts:0       pts_time:0",
      "[Parsed_metadata_2 @ 0x5616] lavfi.scene_score=0.000000",
      "[Parsed_metadata_2 @ 0x5616] frame:1    pts:512     pts_time:0.04",
      "[Parsed_metadata_2 @ 0x5616] lavfi.scene_score=0.824488",
      "[Parsed_metadata_2 @ 0x5616] lavfi.scene_score=0.5",
    ];
    const frames = lines.map((l) => parser.push(l)).filter(Boolean);
    expect(frames).toEqual([
      { ptsTime: 0, score: 0 },
      { ptsTime: 0.04, score: 0.824488 },
    ]);
  });
});
