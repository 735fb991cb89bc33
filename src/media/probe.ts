import { z } from "zod";
import { InspectorError } from "../domain/errors.js";
import { DEFAULT_MEDIA_CAPS, type MediaCaps, type MediaInfo } from "../domain/media-info.js";
import { requireCleanExit, type ProcessGuard } from "./process-guard.js";
import { probeArgs } from "./ffmpeg-args.js";
import { allowedDemuxer, policyViolation } from "./media-policy.js";

const numeric = z.coerce.number().finite();
const ProbeSchema = z.object({
  format: z.object({
    format_name: z.string(),
    duration: numeric.optional(),
  }),
  streams: z.array(
    z.object({
      codec_type: z.string().optional(),
      codec_name: z.string().optional(),
      width: z.number().int().optional(),
      height: z.number().int().optional(),
      avg_frame_rate: z.string().optional(),
      r_frame_rate: z.string().optional(),
      duration: numeric.optional(),
      disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
    }),
  ),
});

/** Image containers that ffprobe reports with a "video" stream of one frame. */
const STILL_IMAGE_FORMATS = /(^|,)(image2|[a-z0-9]+_pipe|gif|apng|webp)(,|$)/;

export function parseFrameRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [num, den] = rate.split("/").map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return undefined;
  const value = den === undefined ? num : den > 0 ? num / den : NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Turns ffprobe's JSON into MediaInfo, or a coded permanent error. Pure. */
export function interpretProbe(json: string, caps: MediaCaps = DEFAULT_MEDIA_CAPS): MediaInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new InspectorError("CORRUPT_MEDIA", "ffprobe produced no readable description of the file.");
  }
  const parsed = ProbeSchema.safeParse(raw);
  if (!parsed.success) throw new InspectorError("CORRUPT_MEDIA", "ffprobe could not describe the file's streams.");
  const { format, streams } = parsed.data;
  const video = streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  if (!video) throw new InspectorError("NOT_A_VIDEO", `The file (${format.format_name}) has no video stream.`);
  if (STILL_IMAGE_FORMATS.test(format.format_name)) {
    throw new InspectorError("NOT_A_VIDEO", `The file is a still image (${format.format_name}), not a video.`);
  }
  if (!allowedDemuxer(format.format_name)) {
    throw new InspectorError("NOT_A_VIDEO", `The file is a ${format.format_name} file, not a single-file video container.`);
  }
  const durationSec = format.duration ?? video.duration;
  const fps = parseFrameRate(video.avg_frame_rate) ?? parseFrameRate(video.r_frame_rate);
  if (!video.width || !video.height || !video.codec_name) {
    throw new InspectorError("CORRUPT_MEDIA", "The video stream has no readable codec or dimensions.");
  }
  if (durationSec === undefined || durationSec <= 0 || fps === undefined) {
    throw new InspectorError("CORRUPT_MEDIA", "The video has no readable duration or frame rate.");
  }
  if (video.width * video.height > caps.maxPixels) {
    throw new InspectorError(
      "MEDIA_LIMIT_EXCEEDED",
      `The video is ${video.width}×${video.height}; the limit is ${caps.maxPixels} pixels a frame.`,
    );
  }
  if (durationSec > caps.maxDurationSec) {
    throw new InspectorError(
      "MEDIA_LIMIT_EXCEEDED",
      `The video declares ${Math.round(durationSec)} s; the limit is ${caps.maxDurationSec} s.`,
    );
  }
  return {
    durationSec,
    codec: video.codec_name,
    width: video.width,
    height: video.height,
    fps,
    formatName: format.format_name,
    hasAudio: streams.some((s) => s.codec_type === "audio"),
  };
}

/** Runs ffprobe under the guard. */
export async function probeMedia(
  guard: ProcessGuard,
  ffprobePath: string,
  filePath: string,
  timeoutMs: number,
  caps: MediaCaps,
): Promise<MediaInfo> {
  const result = await guard.run({ command: ffprobePath, args: probeArgs(filePath, { maxPixels: caps.maxPixels }), timeoutMs });
  if (result.outcome === "exited" && result.exitCode !== 0) refusedByPolicy(result.stderrTail, caps);
  return interpretProbe(requireCleanExit(result, { what: "ffprobe" }), caps);
}

/**
 * Throws the coded error for a probe the media policy refused: a file whose content is a
 * playlist, a manifest, a list, an image or text is not a video (ffmpeg names the demuxer it
 * detected: "[hls @ 0x…] Format not on whitelist"); a frame over the pixel cap is a limit.
 */
function refusedByPolicy(stderr: string, caps: MediaCaps): void {
  for (const line of stderr.split("\n")) {
    const violation = policyViolation(line);
    if (violation === "pixels")
      throw new InspectorError("MEDIA_LIMIT_EXCEEDED", `A frame of the video is larger than the limit of ${caps.maxPixels} pixels.`);
    if (violation) {
      const detected = /^\[([a-z0-9_]+) @/.exec(line)?.[1] ?? "unknown";
      throw new InspectorError(
        "NOT_A_VIDEO",
        `The file is ${detected === "unknown" ? "not" : `a ${detected} file, not`} a single-file video container; it was not opened.`,
      );
    }
  }
}
