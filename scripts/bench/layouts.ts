/**
 * The layouts reposts put a picture in, as ffmpeg filter graphs over input 0: a vertical frame
 * over a blurred copy, caption bars, and an inset over other footage or a reaction channel's frame.
 */
import { between, H, randomScene, W, type Rng } from "./random-scenes.js";
import { ffmpegTo, produce } from "./util.js";

/** A 9:16 repost: the 16:9 picture across the width, over a blurred, zoomed copy of itself. */
export function verticalBlurred(rng: Rng): string {
  const width = 2 * Math.round(between(rng, 0.9, 1) * 180);
  const blur = Math.round(between(rng, 10, 30));
  return `[0:v]split[a][b];[a]scale=360:640:force_original_aspect_ratio=increase,crop=360:640,boxblur=${blur}:2[bg];[b]scale=${width}:-2[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2,setsar=1[v]`;
}

/** Caption bars as meme templates have them: white, with black lines of "text". */
interface CaptionTemplate {
  readonly top: number;
  readonly bottom: number;
  readonly lines: readonly { x: number; y: number; w: number }[];
}
const CAPTION_H = 480;
export function captionTemplate(rng: Rng): CaptionTemplate {
  const top = 2 * Math.round(between(rng, 30, 55));
  const bottom = 2 * Math.round(between(rng, 0, 35));
  const lines = Array.from({ length: 1 + Math.floor(rng() * 2) }, (_, i) => {
    const w = Math.round(between(rng, 200, 560));
    return { x: Math.round((W - w) / 2), y: 14 + i * 34, w };
  }).filter((l) => l.y + 24 < top);
  return { top, bottom, lines };
}
export function captioned(t: CaptionTemplate): string {
  const text = t.lines.map((l) => `drawbox=x=${l.x}:y=${l.y}:w=${l.w}:h=22:color=black:t=fill`).join(",");
  return `[0:v]scale=${W}:${CAPTION_H - t.top - t.bottom},setsar=1,pad=${W}:${CAPTION_H}:0:${t.top}:white${text ? `,${text}` : ""}[v]`;
}

/** Where a picture-in-picture inset goes: about half size, in a corner, a small margin in. */
interface InsetPlace {
  readonly width: number;
  readonly x: string;
  readonly y: string;
}
export function insetPlace(rng: Rng): InsetPlace {
  const width = 2 * Math.round(between(rng, 0.4, 0.6) * (W / 2));
  const margin = Math.round(between(rng, 0, 24));
  const corner = Math.floor(rng() * 4);
  return { width, x: corner % 2 ? `W-w-${margin}` : `${margin}`, y: corner < 2 ? `${margin}` : `H-h-${margin}` };
}
/** Input 0 over input 1, as an inset. */
export const inset = (p: InsetPlace) =>
  `[1:v]scale=${W}:${H},setsar=1[bg];[0:v]scale=${p.width}:-2,setsar=1[fg];[bg][fg]overlay=${p.x}:${p.y}:shortest=1[v]`;
/** A reaction channel's frame: one still picture (a PNG) behind every inset. */
export async function reactionFrame(rng: Rng, file: string): Promise<string> {
  const { source, filters } = randomScene(rng, 1);
  const graph = `${source}${source.includes("=") ? ":" : "="}size=${W}x${H}:rate=25${filters ? `,${filters}` : ""},scale=${W}:${H}`;
  await produce(file, (out) => ffmpegTo(out, ["-f", "lavfi", "-i", graph, "-frames:v", "1"]));
  return file;
}
