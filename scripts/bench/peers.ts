/**
 * The methods the accuracy benchmark compares this project with, each as the set of pairs it
 * reports on the corpus (keys from `pairKey`).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CorpusVideo } from "./corpus.js";

export const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** The seed's method: two videos are duplicates when at least two cut timestamps are exactly equal. */
export function seedPairs(cuts: readonly { key: string; times: number[] }[]): Set<string> {
  const videosAtTime = new Map<number, string[]>();
  for (const { key, times } of cuts) for (const t of new Set(times)) videosAtTime.set(t, [...(videosAtTime.get(t) ?? []), key]);
  const shared = new Map<string, number>();
  for (const keys of videosAtTime.values()) {
    for (let i = 0; i < keys.length; i += 1)
      for (let j = i + 1; j < keys.length; j += 1) {
        const k = pairKey(keys[i]!, keys[j]!);
        shared.set(k, (shared.get(k) ?? 0) + 1);
      }
  }
  return new Set([...shared].filter(([, n]) => n >= 2).map(([k]) => k));
}

/**
 * Meta's vPDQ with its documented thresholds (scripts/bench/vpdq-pairs.py, run by the Python of
 * the venv that scripts/bench.sh prepares, VPDQ_PYTHON). `uploads` is the upload order: each
 * video is matched against those before it, as a hash-matching service would. Hashes are cached
 * in `cacheDir`, per corpus id.
 */
export async function vpdqPairs(uploads: readonly CorpusVideo[], cacheDir: string): Promise<Set<string>> {
  const python = process.env.VPDQ_PYTHON;
  if (!python) throw new Error("VPDQ_PYTHON is not set: run through `npm run bench:accuracy`");
  await mkdir(cacheDir, { recursive: true });
  const jobFile = path.join(cacheDir, "job.json");
  await writeFile(jobFile, JSON.stringify({ cache: cacheDir, videos: uploads.map(({ id, file }) => ({ id, file })) }));
  const script = path.join(import.meta.dirname, "vpdq-pairs.py");
  // Its progress goes to our stderr; the pairs come back as JSON on its stdout.
  const child = spawn(python, [script, jobFile], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  if (code !== 0) throw new Error(`vpdq-pairs.py exited with ${code}`);
  const pairs = JSON.parse(stdout) as [string, string][];
  return new Set(pairs.map(([a, b]) => pairKey(a, b)));
}
