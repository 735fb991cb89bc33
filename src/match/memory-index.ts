import { indexEntries, oneBitNeighbours, SAMPLE_RATE, encodeSignature, type IndexEntry, type Signature } from "../fingerprint/signature.js";
import { voteOffsets } from "../fingerprint/voting.js";
import type { CandidateQuery, CandidateSearch, ReferenceVideo, SignatureIndex } from "./signature-index.js";

/** A video's index rows by key: the samples each key is stored for. */
export function storedRows(signature: Signature): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (const { key, sample } of indexEntries(signature)) rows.set(key, [...(rows.get(key) ?? []), sample]);
  return rows;
}

/**
 * The index over a handful of videos, in memory: the same rows and voting as FrameIndex,
 * without the database (a pair explained on its own, unit tests). Every row read is at hand,
 * so there is no first cut to keep traffic down.
 */
export class InMemoryIndex implements SignatureIndex {
  private readonly videos: ReferenceVideo[] = [];
  private readonly rows = new Map<number, { videoNum: number; sample: number }[]>();

  add(videoId: string, videoNum: number, key: string, signature: Signature, audioPrint: Uint8Array | null = null): void {
    const durationSec = signature.length / SAMPLE_RATE;
    this.videos.push({ videoId, videoNum, key, durationSec, signature: encodeSignature(signature), audioPrint });
    for (const [key, samples] of storedRows(signature)) {
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
    const candidatesOf = (probes: readonly IndexEntry[]) => {
      const hits = probes.flatMap((probe) => {
        const rows = this.rows.get(probe.key) ?? [];
        return rows
          .filter((r) => r.videoNum !== query.excludeVideoNum)
          .map((r) => ({ videoNum: r.videoNum, refSample: r.sample, querySample: probe.sample, keyRows: rows.length }));
      });
      return voteOffsets(hits, query.rule).slice(0, query.maxCandidates);
    };
    const rowsRead = [...keys].reduce((n, key) => n + (this.rows.get(key)?.length ?? 0), 0);
    return {
      candidates: lookups.map(candidatesOf),
      frequentKeys: [...keys].filter((key) => (this.rows.get(key)?.length ?? 0) > query.rule.stopAt),
      rowsReturned: rowsRead,
      rowsRead,
    };
  }

  async loadReferences(nums: readonly number[]): Promise<ReferenceVideo[]> {
    return this.videos.filter((v) => nums.includes(v.videoNum));
  }
}
