/**
 * Generates test videos from ffmpeg's synthetic sources (no media files in the repo). A
 * video is a list of scenes; each scene is one lavfi source, so every boundary is a cut.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Scene {
  /** A lavfi source expression, e.g. "testsrc2", "mandelbrot", "life=seed=7:mold=10". */
  readonly source: string;
  readonly durationSec: number;
  /** Filters applied after the source (hue, crop …), comma-separated. */
  readonly filters?: string;
}

export interface RenderOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly crf?: number;
  readonly ffmpegPath?: string;
  /** Extra output arguments (codec, container options). Defaults to x264 veryfast. */
  readonly codecArgs?: readonly string[];
  /** Adds a sine-tone audio track at this frequency (a soundtrack that carries no information). */
  readonly audioHz?: number;
  /** Adds a melody instead: a note of the chromatic scale every 0.25 s, drawn from this seed (never repeating a pattern). */
  readonly melodySeed?: number;
  /**
   * Size the sources are drawn at, then scaled to width × height (default: the output size).
   * Some sources (mandelbrot) are slow to draw at 1080p.
   */
  readonly sourceWidth?: number;
  readonly sourceHeight?: number;
}

export async function renderScenes(outPath: string, scenes: readonly Scene[], options: RenderOptions = {}): Promise<void> {
  const { width = 640, height = 360, fps = 25, crf = 23, ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg" } = options;
  const { sourceWidth = width, sourceHeight = height } = options;
  const scaled = sourceWidth !== width || sourceHeight !== height;
  const chains = scenes.map((scene, i) => {
    const sep = scene.source.includes("=") ? ":" : "=";
    const filters = scene.filters || scaled ? `${scene.filters ? `,${scene.filters}` : ""},scale=${width}:${height}` : "";
    return `${scene.source}${sep}size=${sourceWidth}x${sourceHeight}:rate=${fps}${filters},trim=duration=${scene.durationSec},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[s${i}]`;
  });
  const inputs = scenes.map((_, i) => `[s${i}]`).join("");
  const totalSec = scenes.reduce((sum, s) => sum + s.durationSec, 0);
  const audio = audioChain(options, totalSec);
  const graph = `${chains.join(";")};${inputs}concat=n=${scenes.length}:v=1:a=0[v]${audio}`;
  const codec = options.codecArgs ?? ["-c:v", "libx264", "-preset", "veryfast", "-crf", String(crf)];
  const maps = audio ? ["-map", "[v]", "-map", "[a]", "-c:a", "aac", "-b:a", "64k"] : ["-map", "[v]"];
  await run(ffmpegPath, ["-v", "error", "-y", "-filter_complex", graph, ...maps, ...codec, outPath], { maxBuffer: 16 * 1024 * 1024 });
}

/** The soundtrack's filter chain, labelled [a]; empty for none. */
function audioChain(options: RenderOptions, totalSec: number): string {
  if (options.melodySeed !== undefined) {
    // A pseudo-random note (two octaves up from 220 Hz) per quarter second: frac(sin(n · a + seed) · b).
    const random = `(sin(floor(t*4)*12.9898+${options.melodySeed}*78.233)*43758.5453)`;
    const note = `floor(24*(${random}-floor(${random})))`;
    return `;aevalsrc='0.5*sin(2*PI*t*220*pow(2,${note}/12))':d=${totalSec}[a]`;
  }
  return options.audioHz ? `;sine=frequency=${options.audioHz}:duration=${totalSec}[a]` : "";
}

/** Re-encodes a file with the given output arguments (resize, CRF, codec, fps …). */
export async function transcode(
  inPath: string,
  outPath: string,
  args: readonly string[],
  ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg",
): Promise<void> {
  await run(ffmpegPath, ["-v", "error", "-y", "-i", inPath, ...args, outPath], { maxBuffer: 16 * 1024 * 1024 });
}
