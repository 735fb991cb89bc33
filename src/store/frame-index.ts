import { sampleInView } from "../fingerprint/stored-rows.js";
import { oneBitNeighbours } from "../fingerprint/signature.js";
import { topCandidates, type IndexHit } from "../fingerprint/voting.js";
import type { CandidateQuery, CandidateSearch, ProbeSet, ReferenceVideo, SignatureIndex } from "../match/signature-index.js";
import type { Db } from "./prisma.js";
import { StopList } from "./stop-list.js";

const REBUILD_TIMEOUT_MS = 60 * 60_000;

/** The rows of the videos that pass the first cut, as parallel arrays (one row of the result). */
interface SearchRow {
  keys: number[];
  video_nums: number[];
  samples: number[];
  key_rows: number[];
  frequent_keys: number[];
  rows_read: bigint;
}

/**
 * The matcher's index in PostgreSQL: `frame_index(key, video_num, sample)` (one table, or hash
 * partitions by key: prisma/sql/partition-frame-index.sql) and the stop-list `index_stop_key`
 * (keys with more rows than the voting rule's `stopAt`: a black-ish frame, a common intro, a
 * still shot in many videos says nothing about any one video, so such keys are never read).
 * A search takes the keys of every probe set (with their one-bit neighbours where the set asks
 * for them), leaves out the stop-listed ones (StopList keeps a copy in the process) and looks
 * the rest up. The database makes the first cut: only the rows of videos hit through at least
 * `minVotes` of their rows leave it (most chance hits are a video's only one). Each set's
 * offsets are then voted here over those rows (voteOffsets): in SQL the voting's joins and
 * sorts cost as much as the lookups themselves.
 *
 * The one part that reads frame_index filters it by `key = ANY(keys)` and counts rows with a
 * window partitioned by key: a shape a key-distributed engine (Citus) runs on the shards that
 * hold those keys, with no LATERAL … LIMIT. Everything after it works on those rows alone.
 */
export class FrameIndex implements SignatureIndex {
  private readonly stopList: StopList;

  constructor(
    private readonly db: Db,
    now: () => number = Date.now,
  ) {
    this.stopList = new StopList(db, now);
  }

  async findCandidates(query: CandidateQuery): Promise<CandidateSearch> {
    const { sets, rule } = query;
    if (sets.every((set) => set.probes.length === 0))
      return { candidates: sets.map(() => []), frequentKeys: [], rowsRead: 0, rowsReturned: 0 };
    const stopKeys = await this.stopList.current();
    const keys = sets.flatMap((set) => set.probes.flatMap((p) => (set.neighbours ? oneBitNeighbours(p.key) : [p.key])));
    const lookedUp = [...new Set(keys)].filter((key) => !stopKeys.has(key));
    // The keys reach the scan through a sub-select, whose result the planner cannot see: it
    // then costs the scan as the B-tree descents it is. Shown the list, it estimated thousands
    // of keys' rows, and searches on a small index got several times slower.
    const [row] = await this.db.$queryRaw<SearchRow[]>`
      WITH posting AS (
        SELECT key, video_num, sample, count(*) OVER (PARTITION BY key) AS key_rows
        FROM frame_index WHERE key = ANY(ARRAY(SELECT unnest(${lookedUp}::int4[])))
      ), evidence AS (
        SELECT * FROM posting WHERE key_rows <= ${rule.stopAt} AND video_num IN (
          SELECT video_num FROM posting WHERE key_rows <= ${rule.stopAt} AND video_num <> ${query.excludeVideoNum}
          GROUP BY video_num HAVING count(DISTINCT sample) >= ${rule.minVotes})
      )
      SELECT e.*,
        (SELECT coalesce(array_agg(DISTINCT key), '{}') FROM posting WHERE key_rows > ${rule.stopAt}) AS frequent_keys,
        (SELECT count(*) FROM posting) AS rows_read
      FROM (SELECT coalesce(array_agg(key), '{}') AS keys, coalesce(array_agg(video_num), '{}') AS video_nums,
                   coalesce(array_agg(sample), '{}') AS samples, coalesce(array_agg(key_rows::int4), '{}') AS key_rows
            FROM evidence) e`;
    const { frequent_keys: frequentKeys } = row!;
    // The stop-list is kept current by the searches themselves: they read these keys' rows
    // anyway, and from now on no search will.
    if (frequentKeys.length > 0) await this.stopList.add(frequentKeys);
    return {
      candidates: sets.map((set) => topCandidates(hitsOf(set, row!), rule, query.maxCandidates)),
      frequentKeys,
      rowsRead: Number(row!.rows_read),
      rowsReturned: row!.keys.length,
    };
  }

  async loadReferences(videoNums: readonly number[]): Promise<ReferenceVideo[]> {
    if (videoNums.length === 0) return [];
    const videos = await this.db.video.findMany({
      where: { num: { in: [...videoNums] }, signature: { not: null } },
      select: {
        id: true,
        num: true,
        key: true,
        durationSec: true,
        width: true,
        height: true,
        signature: true,
        stripSignature: true,
        audioPrint: true,
      },
    });
    return videos.map((v) => ({
      videoId: v.id,
      videoNum: v.num,
      key: v.key,
      durationSec: v.durationSec ?? 0,
      signature: v.signature ?? new Uint8Array(),
      stripSignature: v.stripSignature,
      aspect: v.width && v.height ? v.width / v.height : null,
      audioPrint: v.audioPrint,
    }));
  }

  /**
   * Rebuilds the stop-list from the whole index: every key with more than `stopAt` rows, and
   * no other (after a bulk import, or erasures that left keys rare again). One scan of the
   * index; searches keep the list current between rebuilds. Returns the number of keys.
   */
  async rebuildStopList(stopAt: number): Promise<number> {
    const keys = await this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`DELETE FROM index_stop_key`;
        return tx.$executeRaw`INSERT INTO index_stop_key (key) SELECT key FROM frame_index GROUP BY key HAVING count(*) > ${stopAt}`;
      },
      // A scan of the whole index: the statement timeout bounds it, not a transaction timeout.
      { timeout: REBUILD_TIMEOUT_MS },
    );
    this.stopList.forget();
    return keys;
  }
}

/** The hits of one probe set among the rows read: each row meets the set's probes of its key (or one bit from it). */
function hitsOf(set: ProbeSet, rows: SearchRow): IndexHit[] {
  const samplesByKey = new Map<number, number[]>();
  for (const probe of set.probes) {
    const samples = samplesByKey.get(probe.key);
    if (samples) samples.push(probe.sample);
    else samplesByKey.set(probe.key, [probe.sample]);
  }
  const hits: IndexHit[] = [];
  rows.keys.forEach((key, i) => {
    const refSample = sampleInView(rows.samples[i]!, set.stored ?? "picture");
    if (refSample === undefined) return;
    for (const probed of set.neighbours ? oneBitNeighbours(key) : [key]) {
      for (const querySample of samplesByKey.get(probed) ?? []) {
        hits.push({ videoNum: rows.video_nums[i]!, refSample, querySample, keyRows: rows.key_rows[i]! });
      }
    }
  });
  return hits;
}
