import { audioIndexEntries, type AudioPrint } from "./audio-print.js";
import { indexEntries, type IndexEntry, type Signature } from "./signature.js";

/**
 * A stored video's index rows, in three views that share frame_index: its pictures', its
 * centre strip's (centre-strip.ts) and its soundtrack's (audioIndexEntries). Each view has
 * its own range of samples, so rows never collide on the primary key, need no column of
 * their own (nor a rebuild of an existing index), and a search tells them apart by the
 * sample: a strip row's is −1 − sample, a soundtrack row's SOUNDTRACK_ROWS + sample. Pure.
 */
export type StoredView = "picture" | "centre-strip" | "soundtrack";

/** Where soundtrack rows start: 2^29 samples are 4 years of picture at SAMPLE_RATE. */
const SOUNDTRACK_ROWS = 2 ** 29;

export const stripRowSample = (sample: number) => -1 - sample;
export const isStripRow = (storedSample: number) => storedSample < 0;
const soundtrackRowSample = (sample: number) => SOUNDTRACK_ROWS + sample;

function viewOf(storedSample: number): StoredView {
  if (isStripRow(storedSample)) return "centre-strip";
  return storedSample >= SOUNDTRACK_ROWS ? "soundtrack" : "picture";
}

/** A stored row's sample in the view a search looks at; undefined: a row of another view. */
export function sampleInView(storedSample: number, view: StoredView): number | undefined {
  if (viewOf(storedSample) !== view) return undefined;
  if (view === "centre-strip") return stripRowSample(storedSample);
  return view === "soundtrack" ? storedSample - SOUNDTRACK_ROWS : storedSample;
}

/** The index rows of a centre strip's signature (indexEntries, in the strip's own sample space). */
export function stripIndexEntries(strip: Signature): IndexEntry[] {
  return indexEntries(strip).map(({ key, sample }) => ({ key, sample: stripRowSample(sample) }));
}

/** The index rows of a soundtrack (audioIndexEntries, in the soundtrack's sample space). */
export function soundtrackIndexEntries(print: AudioPrint): IndexEntry[] {
  return audioIndexEntries(print).map(({ key, sample }) => ({ key, sample: soundtrackRowSample(sample) }));
}

/** Every index row of a stored video: its picture's, its centre strip's and its soundtrack's, where it has them. */
export function videoIndexEntries(signature: Signature, strip: Signature | null, audio: AudioPrint | null = null): IndexEntry[] {
  return [...indexEntries(signature), ...(strip ? stripIndexEntries(strip) : []), ...(audio ? soundtrackIndexEntries(audio) : [])];
}
