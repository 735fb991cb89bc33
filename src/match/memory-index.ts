import { decodeAudioPrint, type AudioPrint } from "../fingerprint/audio-print.js";
import { sampleInView, videoIndexEntries } from "../fingerprint/stored-rows.js";
import { oneBitNeighbours, SAMPLE_RATE, encodeSignature, type IndexEntry, type Signature } from "../fingerprint/signature.js";
import { topCandidates } from "../fingerprint/voting.js";
import type { CandidateQuery, CandidateSearch, ProbeSet, ReferenceVideo, SignatureIndex } from "./signature-index.js";

/** A video's index rows by key: the samples each key is stored for (in each view's sample space, stored-rows.ts). */
export function storedRows(signature: Signature, strip: Signature | null = null, audio: AudioPrint | null = null): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (const { key, sample } of videoIndexEntries(signature, strip, audio)) {
    rows.set(key, [...(rows.get(key) ?? []), sample]);
  }
  return rows;
}

/** What a stored video may have besides its signature. */
export interface StoredExtras {
  readonly audioPrint?: Uint8Array | null;
  readonly stripSignature?: Signature | null;
  readonly aspect?: number | null;
}

/**
 * The index over a handful of videos, in memory: the same rows and voting as FrameIndex,
 * without the database (a pair explained on its own, unit tests). Every row read is at hand,
 * so there is no first cut to keep traffic down.
 */
export class InMemoryIndex implements SignatureIndex {
  private readonly videos: ReferenceVideo[] = [];
  private readonly rows = new Map<number, { videoNum: number; sample: number }[]>();

  add(videoId: string, videoNum: number, key: string, signature: Signature, extras: StoredExtras = {}): void {
    const { audioPrint = null, stripSignature = null, aspect = null } = extras;
    const durationSec = signature.length / SAMPLE_RATE;
    this.videos.push({
      videoId,
      videoNum,
      key,
      durationSec,
      signature: encodeSignature(signature),
      stripSignature: stripSignature && encodeSignature(stripSignature),
      aspect,
      audioPrint,
    });
    for (const [key, samples] of storedRows(signature, stripSignature, audioPrint && decodeAudioPrint(audioPrint))) {
      const rows = this.rows.get(key) ?? [];
      rows.push(...samples.map((sample) => ({ videoNum, sample })));
      this.rows.set(key, rows);
    }
  }

  async findCandidates(query: CandidateQuery): Promise<CandidateSearch> {
    const lookups = query.sets.map((set) =>
      set.neighbours ? set.probes.flatMap((p) => oneBitNeighbours(p.key).map((key) => ({ key, sample: p.sample }))) : set.probes,
    );
    const keys = new Set(lookups.flat().map((p) => p.key));
    const candidatesOf = (probes: readonly IndexEntry[], set: ProbeSet) => {
      const hits = probes.flatMap((probe) => {
        const rows = this.rows.get(probe.key) ?? [];
        return rows.flatMap((r) => {
          const refSample = sampleInView(r.sample, set.stored ?? "picture");
          if (r.videoNum === query.excludeVideoNum || refSample === undefined) return [];
          return [{ videoNum: r.videoNum, refSample, querySample: probe.sample, keyRows: rows.length }];
        });
      });
      return topCandidates(hits, query.rule, query.maxCandidates);
    };
    const rowsRead = [...keys].reduce((n, key) => n + (this.rows.get(key)?.length ?? 0), 0);
    return {
      candidates: lookups.map((probes, i) => candidatesOf(probes, query.sets[i]!)),
      frequentKeys: [...keys].filter((key) => (this.rows.get(key)?.length ?? 0) > query.rule.stopAt),
      rowsReturned: rowsRead,
      rowsRead,
    };
  }

  async loadReferences(nums: readonly number[]): Promise<ReferenceVideo[]> {
    return this.videos.filter((v) => nums.includes(v.videoNum));
  }
}
