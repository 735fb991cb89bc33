/**
 * The accuracy corpus: seeded, generated with ffmpeg's synthetic sources, cached under
 * .run/bench-corpus/<seed>-<size>/ so reruns skip generation. Originals of 30–120 s with
 * varied scene structure, every transformation of each (edits.ts), and hard negatives.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderScenes, type Scene } from "../lib/media-fixtures.js";
import { COMPILATION, COMPILATION_TWICE, planCompilation, renderCompilation, type CompilationPart } from "./compilations.js";
import { EXTENSIONS, footage, LAYOUT_NEGATIVES, TITLE_CARD, TRANSFORMATIONS, withLeadIn, type OriginalSpec } from "./edits.js";
import { between, H, mulberry32, pick, randomScene, sceneDurations, stringHash, W, type Rhythm, type Rng } from "./random-scenes.js";
import { produce, runAll } from "./util.js";

export interface CorpusVideo {
  readonly id: string;
  readonly file: string;
  /** Which original's footage it carries; undefined for a negative. */
  readonly family: string | undefined;
  readonly transformation: string;
  /** A compilation's fragments: every original it carries footage of (the family is the first). */
  readonly parts?: readonly CompilationPart[];
}

export interface CorpusOptions {
  readonly seed: number;
  readonly originals: number;
  readonly negatives: number;
  readonly dir: string;
}

export interface OriginalPlan extends OriginalSpec {
  readonly scenes: Scene[];
  /** Its soundtrack: a melody from this seed (renderScenes' melodySeed). */
  readonly melodySeed: number;
}

/** The originals of a corpus, drawn from `rng` (the first draws of the seed's stream). */
export function planOriginals(rng: Rng, count: number, dir: string): OriginalPlan[] {
  const rhythms: Rhythm[] = ["fast", "normal", "normal", "slow", "single"];
  return Array.from({ length: count }, (_, i) => {
    const id = `o${String(i).padStart(2, "0")}`;
    const durationSec = Math.round(between(rng, 30, 120));
    const fps = pick(rng, [25, 30, 24]);
    const durations = sceneDurations(rng, durationSec, rhythms[i % rhythms.length]!);
    const scenes = durations.map((d) => randomScene(rng, d));
    // Until v7 this draw was a tone's frequency: drawn the same way, the pictures come from the same random values.
    const melodySeed = Math.round(between(rng, 200, 900));
    return { id, file: path.join(dir, `${id}.mp4`), durationSec, fps, durations, scenes, melodySeed };
  });
}

/**
 * Hand-made originals for cases that reports found, in every corpus whatever the seed (they
 * draw nothing from its random stream). Each gets every transformation, like the others.
 */
const CASE_ORIGINALS: readonly { id: string; about: string; scenes: Scene[] }[] = [
  {
    // Issue 16: whole copies were reported over [0, 21.5] of 30 s yet called near-duplicates.
    id: "c00",
    about: "last two scenes no frame hash can see (a fine cellular texture, a gradient of one luma)",
    scenes: [
      "testsrc2",
      "mandelbrot",
      "life=seed=7:ratio=0.3",
      "smptehdbars",
      "cellauto=rule=110:random_seed=110",
      "gradients=seed=3:c0=0xC8C800:c1=0x78E63C",
    ].map((source) => ({
      source,
      durationSec: 5,
    })),
  },
];

export function caseOriginals(dir: string): OriginalPlan[] {
  return CASE_ORIGINALS.map(({ id, scenes }) => ({
    id,
    file: path.join(dir, `${id}.mp4`),
    durationSec: scenes.reduce((sum, scene) => sum + scene.durationSec, 0),
    fps: 25,
    durations: scenes.map((scene) => scene.durationSec),
    scenes,
    melodySeed: 440,
  }));
}

export function produceOriginal(plan: OriginalPlan): Promise<void> {
  return produce(plan.file, (out) => renderScenes(out, plan.scenes, { fps: plan.fps, crf: 18, melodySeed: plan.melodySeed }));
}

/** Builds (or loads from cache) the corpus; returns every video with its ground truth. */
export async function buildCorpus(options: CorpusOptions, progress: (line: string) => void): Promise<CorpusVideo[]> {
  const manifestPath = path.join(options.dir, "manifest.json");
  if (existsSync(manifestPath)) return JSON.parse(await readFile(manifestPath, "utf8")) as CorpusVideo[];
  await mkdir(options.dir, { recursive: true });
  const rng = mulberry32(options.seed);
  const videos: CorpusVideo[] = [];
  const originals: OriginalSpec[] = [];

  const randomOriginals = planOriginals(rng, options.originals, options.dir);
  for (const plan of [...randomOriginals, ...caseOriginals(options.dir)]) {
    const { id, file, durationSec, fps, durations } = plan;
    await produceOriginal(plan);
    originals.push({ id, file, durationSec, fps, durations });
    videos.push({ id, file, family: id, transformation: "original" });
    progress(`original ${id}: ${durationSec} s, ${durations.length} scenes, ${fps} fps`);
  }

  for (let i = 0; i < options.negatives; i += 1) {
    const id = `n${String(i).padStart(2, "0")}`;
    const file = path.join(options.dir, `${id}.mp4`);
    const hard = i % 4;
    const model = originals[i % randomOriginals.length]!;
    if (hard === 0) {
      // Same editing rhythm as an original, other pictures.
      const scenes = model.durations.map((d) => randomScene(rng, d));
      await produce(file, (out) => renderScenes(out, scenes, { fps: model.fps }));
      videos.push({ id, file, family: undefined, transformation: `negative: same rhythm as ${model.id}` });
    } else if (hard === 1 || hard === 2) {
      // The same black intro or title card as the intro copies, then unrelated pictures.
      const body = path.join(options.dir, `${id}-body.mp4`);
      const scenes = sceneDurations(rng, Math.round(between(rng, 30, 90)), "normal").map((d) => randomScene(rng, d));
      await produce(body, (out) => renderScenes(out, scenes, { fps: 25 }));
      const lead = hard === 1 ? `color=c=black:size=${W}x${H}:rate=25:d=3` : TITLE_CARD;
      await produce(file, (out) => withLeadIn({ ...model, file: body, fps: 25 }, out, lead));
      videos.push({
        id,
        file,
        family: undefined,
        transformation: hard === 1 ? "negative: shared black intro" : "negative: shared title card",
      });
    } else {
      // One long shot, no cuts.
      const scene = randomScene(rng, Math.round(between(rng, 30, 60)));
      await produce(file, (out) => renderScenes(out, [scene], { fps: 25 }));
      videos.push({ id, file, family: undefined, transformation: "negative: single shot" });
    }
    progress(`negative ${id}: ${videos[videos.length - 1]!.transformation}`);
  }

  // Unrelated footage in the layouts the layout copies use, and with an original's sound: each
  // must stay unmatched. Their own random streams leave the rest of the corpus as it was.
  const layoutNegatives = Math.ceil(options.negatives / 6);
  const copyRng = (model: OriginalSpec, transformation: string) =>
    mulberry32(options.seed ^ stringHash(`${model.id}/${transformation.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`));
  for (let i = 0; i < layoutNegatives; i += 1) {
    const model = originals[i % randomOriginals.length]!;
    const made = await Promise.all(
      LAYOUT_NEGATIVES.map(async ({ slug, about, make }) => {
        const id = `${slug}${String(i).padStart(2, "0")}`;
        const rng = mulberry32(options.seed ^ stringHash(id));
        const other = await footage(rng, path.join(options.dir, `${id}-footage.mp4`), between(rng, 30, 60), model.fps);
        const file = path.join(options.dir, `${id}.mp4`);
        await produce(file, (out) => make({ model, other, out, modelRng: copyRng(model, about.copy), dir: options.dir }));
        return { id, file, family: undefined, transformation: `negative: ${about.text} ${model.id}` };
      }),
    );
    videos.push(...made);
    progress(`layout negatives ${i + 1} of ${layoutNegatives}`);
  }

  // Each copy has its own random stream, so copies can be made two at a time (ffmpeg's
  // sources are single-threaded) and the corpus is still the same for the same seed.
  const tasks = originals.flatMap((original) =>
    Object.entries(TRANSFORMATIONS).map(([name, transform]) => {
      const slug = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      const file = path.join(options.dir, `${original.id}-${slug}.${EXTENSIONS[name] ?? "mp4"}`);
      const video: CorpusVideo = { id: `${original.id}/${slug}`, file, family: original.id, transformation: name };
      return {
        video,
        make: () => produce(file, (out) => transform(original, out, mulberry32(options.seed ^ stringHash(video.id)), options.dir)),
      };
    }),
  );
  await runAll(tasks, 2, async (task) => {
    await task.make();
    if (task.video.transformation === "byte-identical") progress(`copies of ${task.video.family} done`);
  });
  videos.push(...tasks.map((t) => t.video));

  // Compilations: fragments of an original and of the next two in one upload; and (v8) two
  // stretches of an original around one of the next, each drawn from its own stream.
  const plans = (randomOriginals.length >= 3 ? randomOriginals : []).flatMap((first, i) => {
    const next = (k: number) => randomOriginals[(i + k) % randomOriginals.length]!;
    return [
      { first, kind: COMPILATION, slug: "compilation", sources: [first, next(1), next(2)] },
      { first, kind: COMPILATION_TWICE, slug: "compilation-twice", sources: [first, next(1), first] },
    ];
  });
  for (const { first, kind, slug, sources } of plans) {
    const id = `${first.id}/${slug}`;
    const parts = planCompilation(sources, mulberry32(options.seed ^ stringHash(id)));
    const file = path.join(options.dir, `${first.id}-${slug}.mp4`);
    await produce(file, (out) => renderCompilation(parts, new Map(sources.map((s) => [s.id, s.file])), out));
    videos.push({ id, file, family: first.id, transformation: kind, parts });
  }
  progress("compilations done");
  await writeFile(manifestPath, JSON.stringify(videos, null, 1));
  return videos;
}
