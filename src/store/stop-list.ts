import type { Db } from "./prisma.js";

/** How stale a process's copy of the stop-list may grow before it is read again. */
export const STOP_LIST_MAX_AGE_MS = 60_000;

/**
 * The stop-list `index_stop_key`, with a copy in the process: a search filters its keys
 * here instead of one more index descent per key in the database. The copy is read again
 * after STOP_LIST_MAX_AGE_MS, so keys that other replicas found (or a rebuild dropped) reach
 * this one within that time. A stale copy costs only reads, never a vote: the search counts
 * each key's rows itself and skips keys over the limit either way.
 */
export class StopList {
  private copy: { keys: Set<number>; readAt: number } | undefined;
  private reading: Promise<Set<number>> | undefined;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** The stop-listed keys, read again when the copy is older than STOP_LIST_MAX_AGE_MS. */
  async current(): Promise<ReadonlySet<number>> {
    if (this.copy && this.now() - this.copy.readAt < STOP_LIST_MAX_AGE_MS) return this.copy.keys;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Records keys found over the limit, in the table and in this copy. */
  async add(keys: readonly number[]): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO index_stop_key (key) SELECT unnest(${[...keys]}::int4[]) ON CONFLICT DO NOTHING`;
    for (const key of keys) this.copy?.keys.add(key);
  }

  /** Drops the copy (after the table was rebuilt): the next search reads it again. */
  forget(): void {
    this.copy = undefined;
  }

  private async read(): Promise<Set<number>> {
    const readAt = this.now();
    const [row] = await this.db.$queryRaw<{ keys: number[] }[]>`SELECT coalesce(array_agg(key), '{}') AS keys FROM index_stop_key`;
    const keys = new Set(row!.keys);
    this.copy = { keys, readAt };
    return keys;
  }
}
