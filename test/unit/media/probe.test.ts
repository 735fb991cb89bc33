import { describe, expect, it } from "vitest";
import { interpretProbe, parseFrameRate } from "../../../src/media/probe.js";
import { InspectorError } from "../../../src/domain/errors.js";

const video = {
  codec_type: "video",
  codec_name: "h264",
  width: 640,
  height: 360,
  avg_frame_rate: "25/1",
  r_frame_rate: "25/1",
  start_time: "0.040000",
};
const audio = { codec_type: "audio", codec_name: "aac" };

function probe(
  streams: object[],
  format: object = { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "16.000000", start_time: "0.000000" },
) {
  return JSON.stringify({ streams, format });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof InspectorError ? err.code : "not an InspectorError";
  }
  return undefined;
}

describe("interpretProbe", () => {
  it("describes a video", () => {
    expect(interpretProbe(probe([video, audio]))).toEqual({
      durationSec: 16,
      codec: "h264",
      width: 640,
      height: 360,
      fps: 25,
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
      hasAudio: true,
    });
    expect(interpretProbe(probe([video])).hasAudio).toBe(false);
  });

  it("says NOT_A_VIDEO for audio only", () => {
    expect(codeOf(() => interpretProbe(probe([audio])))).toBe("NOT_A_VIDEO");
  });

  it("says NOT_A_VIDEO for cover art and still images", () => {
    expect(codeOf(() => interpretProbe(probe([audio, { ...video, codec_name: "mjpeg", disposition: { attached_pic: 1 } }])))).toBe(
      "NOT_A_VIDEO",
    );
    expect(codeOf(() => interpretProbe(probe([{ ...video, codec_name: "png" }], { format_name: "png_pipe" })))).toBe("NOT_A_VIDEO");
  });

  it("says CORRUPT_MEDIA for output it cannot read or a stream without duration", () => {
    expect(codeOf(() => interpretProbe("not json"))).toBe("CORRUPT_MEDIA");
    expect(codeOf(() => interpretProbe(probe([video], { format_name: "mpegts" })))).toBe("CORRUPT_MEDIA");
    expect(codeOf(() => interpretProbe(probe([{ ...video, width: 0 }])))).toBe("CORRUPT_MEDIA");
  });

  it("refuses what a header claims beyond the caps (resolution, duration)", () => {
    const caps = { maxPixels: 1920 * 1080, maxDurationSec: 3600 };
    expect(interpretProbe(probe([video]), caps).width).toBe(640);
    expect(codeOf(() => interpretProbe(probe([{ ...video, width: 30000, height: 30000 }]), caps))).toBe("MEDIA_LIMIT_EXCEEDED");
    expect(codeOf(() => interpretProbe(probe([video], { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "4000000" }), caps))).toBe(
      "MEDIA_LIMIT_EXCEEDED",
    );
  });
});

describe("parseFrameRate", () => {
  it.each([
    ["30000/1001", 29.97],
    ["25/1", 25],
    ["0/0", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%s → %s", (rate, fps) => {
    const value = parseFrameRate(rate);
    if (fps === undefined) expect(value).toBeUndefined();
    else expect(value).toBeCloseTo(fps, 2);
  });
});
