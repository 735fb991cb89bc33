/**
 * The accuracy corpus's compilations: one upload made of fragments of three originals, each
 * with its own sound, as compilation channels post them. Every source must be found, each
 * with its own segment.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";

export const COMPILATION = "compilation (3 sources)";
/** Two stretches of one source around a stretch of another: the pair shares two segments, both to be listed. */
export const COMPILATION_TWICE = "compilation (a source twice)";
export const COMPILATIONS = [COMPILATION, COMPILATION_TWICE];

/** Where one source's fragment sits: `at` in the compilation, `from` in the source (seconds). */
export interface CompilationPart {
  readonly source: string;
  readonly at: readonly [number, number];
  readonly from: readonly [number, number];
}

interface Source {
  readonly id: string;
  readonly file: string;
  readonly durationSec: number;
}

/** Fragments of 12–16 s from anywhere in each source, one after another. */
export function planCompilation(sources: readonly Source[], rng: () => number): CompilationPart[] {
  const centis = (sec: number) => Math.round(sec * 100) / 100;
  let at = 0;
  return sources.map((source) => {
    const length = centis(12 + rng() * 4);
    const start = centis(rng() * (source.durationSec - length));
    const part = { source: source.id, at: [at, centis(at + length)] as const, from: [start, centis(start + length)] as const };
    at = part.at[1];
    return part;
  });
}

/** Renders the plan at one size and frame rate (the sources differ), each fragment with its sound. */
export async function renderCompilation(parts: readonly CompilationPart[], files: ReadonlyMap<string, string>, out: string): Promise<void> {
  const inputs = parts.flatMap((p) => ["-ss", String(p.from[0]), "-t", String(p.from[1] - p.from[0]), "-i", files.get(p.source)!]);
  const chains = parts.map(
    (_, i) => `[${i}:v]fps=25,scale=640:360,setsar=1,format=yuv420p[v${i}];[${i}:a]aresample=44100,aformat=channel_layouts=mono[a${i}]`,
  );
  const joined = parts.map((_, i) => `[v${i}][a${i}]`).join("");
  const graph = `${chains.join(";")};${joined}concat=n=${parts.length}:v=1:a=1[v][a]`;
  const codecs = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac"];
  await run(FFMPEG, ["-v", "error", "-y", ...inputs, "-filter_complex", graph, "-map", "[v]", "-map", "[a]", ...codecs, out], {
    maxBuffer: 1 << 24,
  });
}
