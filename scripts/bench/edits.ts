/**
 * The edits of the accuracy corpus: every transformation made of each original (re-encodes,
 * borders, trims, mirror, speed, layouts …) and the hard negatives made in a copy's layout.
 */
import { copyFile } from "node:fs/promises";
import path from "node:path";
import { renderScenes } from "../lib/media-fixtures.js";
import { captioned, captionTemplate, inset, insetPlace, reactionFrame, verticalBlurred } from "./layouts.js";
import { between, H, randomScene, sceneDurations, W, type Rng } from "./random-scenes.js";
import { ffmpegTo, produce, X264 } from "./util.js";

export interface OriginalSpec {
  readonly id: string;
  readonly file: string;
  readonly durationSec: number;
  readonly fps: number;
  readonly durations: number[];
}

/** What each transformation does to an original, as ffmpeg work. */
export type Transformation = (original: OriginalSpec, out: string, rng: Rng, dir: string) => Promise<void>;
const reencode =
  (args: string[], audio = ["-c:a", "copy"]) =>
  async (o: OriginalSpec, out: string) => {
    await ffmpegTo(out, ["-i", o.file, ...args, ...audio]);
  };
export async function withLeadIn(o: OriginalSpec, out: string, leadIn: string): Promise<void> {
  const graph = `${leadIn},fps=${o.fps},format=yuv420p,setsar=1[lead];[0:v]fps=${o.fps},format=yuv420p,setsar=1[main];[lead][main]concat=n=2:v=1:a=0[v]`;
  await ffmpegTo(out, ["-i", o.file, "-filter_complex", graph, "-map", "[v]", ...X264]);
}
/** The original played `rate` times as fast, picture and sound. */
function retimed(rate: number): Transformation {
  return async (o, out) => {
    const graph = `[0:v]setpts=PTS/${rate}[v];[0:a]atempo=${rate}[a]`;
    await ffmpegTo(out, ["-i", o.file, "-filter_complex", graph, "-map", "[v]", "-map", "[a]", ...X264, "-c:a", "aac"]);
  };
}
/** Arguments for a graph over the original (the first input) and others: its [v], with the original's sound. */
const overOriginalSound = (inputs: string[], graph: string) => [
  "-i",
  ...inputs,
  "-filter_complex",
  graph,
  "-map",
  "[v]",
  "-map",
  "0:a",
  ...X264,
  "-c:a",
  "copy",
];

/** Fresh unrelated footage of about `seconds`, as a background or an inset (cached beside the corpus). */
export async function footage(rng: Rng, file: string, seconds: number, fps: number): Promise<string> {
  const scenes = sceneDurations(rng, Math.round(seconds), "normal").map((d) => randomScene(rng, d));
  await produce(file, (out) => renderScenes(out, scenes, { fps, crf: 20 }));
  return file;
}

export const TITLE_CARD = `color=c=0x1d2b53:size=${W}x${H}:rate=25:d=3,drawbox=x=120:y=130:w=400:h=50:color=white@0.85:t=fill,drawbox=x=200:y=200:w=240:h=20:color=0xffa300@0.9:t=fill`;

export const TRANSFORMATIONS: Record<string, Transformation> = {
  "re-encode (crf 38)": reencode(["-c:v", "libx264", "-preset", "veryfast", "-crf", "38"]),
  h265: reencode(["-c:v", "libx265", "-preset", "ultrafast", "-crf", "30", "-tag:v", "hvc1", "-x265-params", "log-level=error"]),
  "vp9 webm": reencode(["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k"], ["-c:a", "libopus"]),
  "mkv container": reencode(["-c:v", "copy"]),
  "mov container": reencode(["-c:v", "copy"]),
  "resized 360p→120p": reencode(["-vf", "scale=-2:120", ...X264]),
  "letterboxed 4:3": reencode(["-vf", `scale=480:270,pad=480:360:0:45:black`, ...X264]),
  "pillarboxed 21:9": reencode(["-vf", `scale=480:270,pad=640:270:80:0:black`, ...X264]),
  "cropped 4%": reencode(["-vf", "crop=iw*0.92:ih*0.92", ...X264]),
  "frame rate changed": async (o, out) => reencode(["-vf", `fps=${o.fps === 25 ? 30 : 25}`, ...X264])(o, out),
  "trimmed head": async (o, out, rng) => reencode(["-ss", between(rng, 4, 12).toFixed(2), ...X264])(o, out),
  "trimmed tail": async (o, out, rng) => reencode(["-t", (o.durationSec - between(rng, 4, 12)).toFixed(2), ...X264])(o, out),
  "trimmed both": async (o, out, rng) =>
    reencode(["-ss", between(rng, 3, 8).toFixed(2), "-t", (o.durationSec - 18).toFixed(2), ...X264])(o, out),
  "fragment 20–30 s": async (o, out, rng) => {
    const len = between(rng, 20, Math.min(30, o.durationSec - 2));
    await reencode(["-ss", between(rng, 0, o.durationSec - len).toFixed(2), "-t", len.toFixed(2), ...X264])(o, out);
  },
  "fragment embedded": async (o, out, rng, dir) => {
    const len = between(rng, 22, Math.min(30, o.durationSec - 2));
    const start = between(rng, 0, o.durationSec - len);
    const fillers = [path.join(dir, `filler-a-${o.id}.mp4`), path.join(dir, `filler-b-${o.id}.mp4`)];
    for (const filler of fillers) await footage(rng, filler, between(rng, 8, 15), o.fps);
    const graph = `[0:v]setsar=1[a];[1:v]trim=start=${start.toFixed(2)}:duration=${len.toFixed(2)},setpts=PTS-STARTPTS,setsar=1[b];[2:v]setsar=1[c];[a][b][c]concat=n=3:v=1:a=0[v]`;
    await ffmpegTo(out, ["-i", fillers[0]!, "-i", o.file, "-i", fillers[1]!, "-filter_complex", graph, "-map", "[v]", ...X264]);
  },
  "watermark overlay": reencode([
    "-vf",
    "drawbox=x=iw-150:y=14:w=130:h=44:color=white@0.7:t=fill,drawbox=x=20:y=ih-40:w=90:h=24:color=red@0.8:t=fill",
    ...X264,
  ]),
  "audio removed": reencode([...X264], ["-an"]),
  "audio replaced": async (o, out, rng) => {
    const tone = `sine=frequency=${Math.round(between(rng, 200, 900))}:duration=${o.durationSec}`;
    await ffmpegTo(out, [
      "-i",
      o.file,
      "-f",
      "lavfi",
      "-i",
      tone,
      "-map",
      "0:v",
      "-map",
      "1:a",
      "-c:v",
      "copy",
      "-c:a",
      "aac",
      "-shortest",
    ]);
  },
  "black intro 3 s": (o, out) => withLeadIn(o, out, `color=c=black:size=${W}x${H}:rate=25:d=3`),
  "title card intro": (o, out) => withLeadIn(o, out, TITLE_CARD),
  "byte-identical": async (o, out) => copyFile(o.file, out),
  // Flipped left to right, as re-uploaders do to dodge matching.
  mirrored: reencode(["-vf", "hflip", ...X264]),
  "mirrored, cropped 4%": reencode(["-vf", "hflip,crop=iw*0.92:ih*0.92", ...X264]),
  // Re-timed, sound and picture together (as a re-upload sped up to dodge matching).
  "speed 0.8×": retimed(0.8),
  "speed 1.25×": retimed(1.25),
  "speed 1.5×": retimed(1.5),
  // Reposts for phones and reaction channels: the picture is only part of the frame.
  "vertical, blurred fill": async (o, out, rng) => ffmpegTo(out, overOriginalSound([o.file], verticalBlurred(rng))),
  "vertical, centre crop": async (o, out, rng) => {
    const shift = between(rng, -0.05, 0.05).toFixed(3);
    await reencode(["-vf", `crop=ih*9/16:ih:(iw-ow)/2+iw*${shift}:0,scale=360:640,setsar=1`, ...X264])(o, out);
  },
  "caption bars (meme)": async (o, out, rng) => ffmpegTo(out, overOriginalSound([o.file], captioned(captionTemplate(rng)))),
  "picture-in-picture": async (o, out, rng, dir) => {
    const place = insetPlace(rng);
    const background = await footage(rng, path.join(dir, `pip-bg-${o.id}.mp4`), o.durationSec + 1, o.fps);
    await ffmpegTo(out, overOriginalSound([o.file, "-i", background], inset(place)));
  },
  "reaction frame": async (o, out, rng, dir) => {
    const place = insetPlace(rng);
    const frame = await reactionFrame(rng, path.join(dir, `reaction-frame-${o.id}.png`));
    await ffmpegTo(out, overOriginalSound([o.file, "-loop", "1", "-i", frame], inset(place)));
  },
};
interface LayoutNegative {
  readonly slug: string;
  /** What it shares with the model original's copy of that transformation. */
  readonly about: { text: string; copy: string };
  readonly make: (job: { model: OriginalSpec; other: string; out: string; modelRng: Rng; dir: string }) => Promise<void>;
}
export const LAYOUT_NEGATIVES: readonly LayoutNegative[] = [
  {
    slug: "lv",
    about: { text: "vertical blurred layout as", copy: "vertical, blurred fill" },
    make: ({ other, out, modelRng }) => ffmpegTo(out, ["-i", other, "-filter_complex", verticalBlurred(modelRng), "-map", "[v]", ...X264]),
  },
  {
    slug: "lc",
    about: { text: "same caption template as", copy: "caption bars (meme)" },
    make: ({ other, out, modelRng }) =>
      ffmpegTo(out, ["-i", other, "-filter_complex", captioned(captionTemplate(modelRng)), "-map", "[v]", ...X264]),
  },
  {
    slug: "lr",
    about: { text: "same reaction frame as", copy: "reaction frame" },
    make: async ({ model, other, out, modelRng, dir }) => {
      const place = insetPlace(modelRng);
      const frame = await reactionFrame(modelRng, path.join(dir, `reaction-frame-${model.id}.png`));
      await ffmpegTo(out, ["-i", other, "-loop", "1", "-i", frame, "-filter_complex", inset(place), "-map", "[v]", ...X264]);
    },
  },
  {
    slug: "lm",
    about: { text: "only the sound of", copy: "original" },
    make: ({ model, other, out }) =>
      ffmpegTo(out, ["-i", other, "-i", model.file, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest"]),
  },
];
export const EXTENSIONS: Record<string, string> = { "vp9 webm": "webm", "mkv container": "mkv", "mov container": "mov" };
