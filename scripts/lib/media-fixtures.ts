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
  /** Adds a sine-tone audio track at this frequency. */
  readonly audioHz?: number;
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
  const audio = options.audioHz ? `;sine=frequency=${options.audioHz}:duration=${totalSec}[a]` : "";
  const graph = `${chains.join(";")};${inputs}concat=n=${scenes.length}:v=1:a=0[v]${audio}`;
  const codec = options.codecArgs ?? ["-c:v", "libx264", "-preset", "veryfast", "-crf", String(crf)];
  const maps = options.audioHz ? ["-map", "[v]", "-map", "[a]", "-c:a", "aac", "-b:a", "64k"] : ["-map", "[v]"];
  await run(ffmpegPath, ["-v", "error", "-y", "-filter_complex", graph, ...maps, ...codec, outPath], { maxBuffer: 16 * 1024 * 1024 });
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
