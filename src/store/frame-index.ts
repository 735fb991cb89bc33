import { oneBitNeighbours, PAIR_KEY_BITS } from "../fingerprint/signature.js";
import type { OffsetCandidate } from "../fingerprint/voting.js";
import type { CandidateQuery, CandidateSearch, ReferenceVideo, SignatureIndex } from "../match/signature-index.js";
import type { Db } from "./prisma.js";
import { StopList } from "./stop-list.js";

const REBUILD_TIMEOUT_MS = 60 * 60_000;

interface CandidateRow {
  probe_set: number;
  video_num: number;
  bin: number;
  votes: number;
  score: number;
}

interface SearchRow {
  candidates: CandidateRow[];
  frequent_keys: number[];
  rows_read: bigint;
}

/**
 * The matcher's index in PostgreSQL: `frame_index(key, video_num, sample)` (one table, or hash
 * partitions by key: prisma/sql/partition-frame-index.sql) and the stop-list `index_stop_key` (keys with more rows than the voting rule's `stopAt`: a
 * black-ish frame, a common intro, a still shot in many videos says nothing about any one
 * video, so such keys are never read). A search takes the keys of every probe set (with their
 * one-bit neighbours where the set asks for them), leaves out the stop-listed ones (StopList
 * keeps a copy in the process), looks the rest up, and votes inside the database, each set
 * apart (the rule of voteOffsets),
 * so only candidates leave it. Its first cut keeps the rows of videos hit through at least
 * `minVotes` rows: most chance hits are a video's only one, and they never reach the voting.
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
    if (sets.every((set) => set.probes.length === 0)) return { candidates: sets.map(() => []), frequentKeys: [], rowsRead: 0 };
    const stopKeys = await this.stopList.current();
    const keys = sets.flatMap((set) => set.probes.flatMap((p) => (set.neighbours ? oneBitNeighbours(p.key) : [p.key])));
    const lookedUp = [...new Set(keys)].filter((key) => !stopKeys.has(key));
    const probes = sets.flatMap((set, id) => set.probes.map((p) => ({ ...p, id, neighbours: set.neighbours })));
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
      ), joined AS (
        SELECT pr.probe_set, po.video_num, po.sample, pr.qs, po.key_rows
        FROM evidence po CROSS JOIN generate_series(-1, ${PAIR_KEY_BITS - 1}) AS bit
        JOIN unnest(${probes.map((p) => p.key)}::int4[], ${probes.map((p) => p.sample)}::int4[], ${probes.map((p) => p.id)}::int4[],
                    ${probes.map((p) => p.neighbours)}::bool[]) AS pr(key, qs, probe_set, neighbours)
          ON pr.key = CASE WHEN bit < 0 THEN po.key ELSE po.key # (1 << bit) END AND (bit < 0 OR pr.neighbours)
      ), hit AS (
        -- The first cut again, for each set of probes alone (above, a row either set reads counts).
        SELECT probe_set, video_num, floor((sample - qs)::float8 / ${rule.binSamples} + 0.5)::int4 AS bin, qs,
               max(ln(1 + ${rule.stopAt}::float8 / key_rows)) AS weight
        FROM joined WHERE (probe_set, video_num) IN (
          SELECT probe_set, video_num FROM joined GROUP BY 1, 2 HAVING count(DISTINCT sample) >= ${rule.minVotes})
        GROUP BY 1, 2, 3, 4
      ), peak AS (
        SELECT probe_set, video_num, centre AS bin, count(*)::int4 AS votes, sum(weight) AS score FROM (
          SELECT probe_set, video_num, bin + d AS centre, qs, max(weight) AS weight
          FROM hit CROSS JOIN (VALUES (-1), (0), (1)) AS window_(d)
          GROUP BY 1, 2, 3, 4
        ) voter
        GROUP BY 1, 2, 3 HAVING count(*) >= ${rule.minVotes}
      ), best AS (
        SELECT DISTINCT ON (probe_set, video_num) probe_set, video_num, bin, votes, score FROM peak
        ORDER BY probe_set, video_num, round(score::numeric, 9) DESC, bin
      ), ranked AS (
        SELECT *, row_number() OVER (PARTITION BY probe_set ORDER BY score DESC, votes DESC, video_num) AS rank FROM best
      )
      SELECT
        (SELECT coalesce(json_agg(r ORDER BY probe_set, rank), '[]') FROM (
          SELECT probe_set, video_num, bin, votes, score, rank FROM ranked WHERE rank <= ${query.maxCandidates}) r) AS candidates,
        (SELECT coalesce(array_agg(DISTINCT key), '{}') FROM posting WHERE key_rows > ${rule.stopAt}) AS frequent_keys,
        (SELECT count(*) FROM posting) AS rows_read`;
    const candidatesOf = (id: number): OffsetCandidate[] =>
      row!.candidates
        .filter((c) => c.probe_set === id)
        .map((c) => ({ videoNum: c.video_num, offsetSamples: c.bin * rule.binSamples, votes: c.votes, score: c.score }));
    const frequentKeys = row!.frequent_keys;
    // The stop-list is kept current by the searches themselves: they read these keys' rows
    // anyway, and from now on no search will.
    if (frequentKeys.length > 0) await this.stopList.add(frequentKeys);
    return { candidates: sets.map((_, id) => candidatesOf(id)), frequentKeys, rowsRead: Number(row!.rows_read) };
  }

  async loadReferences(videoNums: readonly number[]): Promise<ReferenceVideo[]> {
    if (videoNums.length === 0) return [];
    const videos = await this.db.video.findMany({
      where: { num: { in: [...videoNums] }, signature: { not: null } },
      select: { id: true, num: true, key: true, durationSec: true, signature: true, audioPrint: true },
    });
    return videos.map((v) => ({
      videoId: v.id,
      videoNum: v.num,
      key: v.key,
      durationSec: v.durationSec ?? 0,
      signature: v.signature ?? new Uint8Array(),
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
