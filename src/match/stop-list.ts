import type { CandidateQuery, CandidateSearch, ReferenceVideo, SignatureIndex } from "./signature-index.js";

/** Where the stop-list is kept, shared by every replica (FrameIndex in production). */
export interface StopKeyStore {
  loadStopKeys(): Promise<number[]>;
  addStopKeys(keys: readonly number[]): Promise<void>;
}

export interface StopListOptions {
  /** How often the shared stop-list is reloaded, so keys other replicas found arrive. */
  readonly refreshMs: number;
  readonly now: () => number;
}

/**
 * The document-frequency stop-list in front of the index: a key with more rows than the
 * voting rule's `stopAt` (black-ish frames, a common intro, a still shot in many videos) says
 * nothing about any one video, so it is never looked up. The searches keep it current at no
 * extra cost: a search reads each probed key's rows anyway, reports the keys it found over
 * the limit, and those are recorded for every replica and skipped from then on.
 */
export class StopListedIndex implements SignatureIndex {
  private stopped = new Set<number>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly index: SignatureIndex,
    private readonly store: StopKeyStore,
    private readonly options: StopListOptions,
  ) {}

  async findCandidates(query: CandidateQuery): Promise<CandidateSearch> {
    await this.refresh();
    const probes = query.probes.filter((probe) => !this.stopped.has(probe.key));
    const search = await this.index.findCandidates({ ...query, probes });
    if (search.frequentKeys.length > 0) {
      await this.store.addStopKeys(search.frequentKeys);
      for (const key of search.frequentKeys) this.stopped.add(key);
    }
    return search;
  }

  loadReferences(videoNums: readonly number[]): Promise<ReferenceVideo[]> {
    return this.index.loadReferences(videoNums);
  }

  /** Keys on the stop-list as this replica last loaded or found them. */
  get size(): number {
    return this.stopped.size;
  }

  private async refresh(): Promise<void> {
    if (this.options.now() - this.loadedAt < this.options.refreshMs) return;
    this.loading ??= this.store
      .loadStopKeys()
      .then((keys) => {
        this.stopped = new Set(keys);
        this.loadedAt = this.options.now();
      })
      .finally(() => {
        this.loading = undefined;
      });
    await this.loading;
  }
}
