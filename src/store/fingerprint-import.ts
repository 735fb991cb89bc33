import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { SAMPLE_RATE, type IndexEntry } from "../fingerprint/signature.js";
import { indexRowsCopy } from "./index-rows-copy.js";

/** A fingerprint computed elsewhere (a catalog import, the match benchmark). */
export interface ImportedFingerprint {
  readonly key: string;
  readonly durationSec: number;
  readonly signature: Uint8Array;
  /** The centre strip's signature (a landscape video); none: not stored. */
  readonly stripSignature?: Uint8Array | null;
  /** The picture's and the centre strip's index rows (stripIndexEntries). */
  readonly entries: readonly IndexEntry[];
}

/**
 * Bulk import of finished fingerprints: the video rows, then all their index rows with a
 * binary COPY in key order (indexRowsCopy), in one transaction. COPY through the pg driver is
 * the fastest way PostgreSQL takes rows (about twice an INSERT from arrays, which Prisma slows
 * further).
 */
export class FingerprintImporter {
  constructor(private readonly pool: pg.Pool) {}

  async import(bucket: string, videos: readonly ImportedFingerprint[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<{ num: number }>(
        `INSERT INTO video (id, bucket, key, duration_sec, signature, strip_signature, sample_rate, updated_at)
         SELECT gen_random_uuid(), $1, key, d, sig, strip, $2, now()
         FROM unnest($3::text[], $4::float8[], $5::bytea[], $6::bytea[]) WITH ORDINALITY AS t(key, d, sig, strip, ord)
         ORDER BY ord
         RETURNING num`,
        [
          bucket,
          SAMPLE_RATE,
          videos.map((v) => v.key),
          videos.map((v) => v.durationSec),
          videos.map((v) => Buffer.from(v.signature)),
          videos.map((v) => (v.stripSignature ? Buffer.from(v.stripSignature) : null)),
        ],
      );
      const copy = indexRowsCopy(rows.map(({ num }, i) => ({ videoNum: num, entries: videos[i]!.entries })));
      await pipeline(Readable.from([copy]), client.query(copyFrom("COPY frame_index (key, video_num, sample) FROM STDIN (FORMAT binary)")));
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
