import type { Db } from "./prisma.js";

/** What a backfill asks of the catalog (read only). */
export class BackfillQueries {
  constructor(private readonly db: Db) {}

  /**
   * The ETag each of these keys was analysed at (the job ended `done` or `failed`); keys
   * absent from the map have no finished analysis.
   */
  async analysedEtags(bucket: string, keys: readonly string[]): Promise<Map<string, string | null>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db.$queryRaw<{ key: string; etag: string | null }[]>`
      SELECT v.key, v.etag FROM video v JOIN job j ON j.video_id = v.id
      WHERE v.bucket = ${bucket} AND v.key = ANY(${[...keys]}::text[]) AND j.status IN ('done', 'failed')`;
    return new Map(rows.map((r) => [r.key, r.etag]));
  }

  /** Analyses of keys under `prefix` that ended at or after `since` (the progress bar's "done"). */
  async finishedSince(bucket: string, prefix: string, since: Date): Promise<number> {
    const [row] = await this.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM video v JOIN job j ON j.video_id = v.id
      WHERE v.bucket = ${bucket} AND starts_with(v.key, ${prefix}) AND j.finished_at >= ${since}`;
    return Number(row?.n ?? 0);
  }
}
