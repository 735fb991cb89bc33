import { isWholeCopy, MATCH_KINDS, mirrorMatch, type MatchKind, type StoredMatch } from "../domain/match.js";
import type { MatchKind as DbMatchKind } from "../generated/prisma/enums.js";
import type { Tx } from "./prisma.js";

/** The database spells kinds as identifiers; the domain as the API does. */
const TO_DB: Record<MatchKind, DbMatchKind> = { identical: "identical", "near-duplicate": "near_duplicate", partial: "partial" };
const FROM_DB: Record<DbMatchKind, MatchKind> = { identical: "identical", near_duplicate: "near-duplicate", partial: "partial" };

export const toMatchKind = (kind: DbMatchKind): MatchKind => FROM_DB[kind];
/** The kinds of a whole copy (isWholeCopy), as the database spells them. */
export const WHOLE_COPY_KINDS: readonly DbMatchKind[] = MATCH_KINDS.filter(isWholeCopy).map((kind) => TO_DB[kind]);

/**
 * The match rows of one video, written inside a caller's (fenced) transaction. Every match
 * is stored in both directions, so either video's status lists the other.
 */
export const matchRows = {
  async save(tx: Tx, videoId: string, matches: readonly StoredMatch[]): Promise<void> {
    // In one global order of (video, other): two videos saving each other at once take the
    // rows' locks in the same order and cannot deadlock.
    const rows = matches.flatMap((match) => [
      { videoId, match },
      { videoId: match.otherVideoId, match: mirrorMatch(videoId, match) },
    ]);
    rows.sort((a, b) => (a.videoId + a.match.otherVideoId < b.videoId + b.match.otherVideoId ? -1 : 1));
    for (const row of rows) await upsert(tx, row.videoId, row.match);
  },

  /**
   * Gives a byte-identical copy the matches of its original, in both directions: the same
   * footage has the same duplicates, offsets and segments. The pair itself is left out, and
   * so are the later members of the original's duplicate group, its own copies: copies are
   * reported against the video they copy, not each other, or a video uploaded a thousand times
   * would hold a million rows. (A copy of a copy keeps the earlier video its original copies.)
   * A match the copy already has is kept.
   */
  async copy(tx: Tx, fromVideoId: string, toVideoId: string): Promise<void> {
    await tx.$executeRaw`
      WITH source AS (SELECT num, group_id FROM video WHERE id = ${fromVideoId}::uuid),
      inherited AS (
        SELECT m.* FROM match m JOIN video other ON other.id = m.other_video_id, source
        WHERE m.video_id = ${fromVideoId}::uuid AND m.other_video_id <> ${toVideoId}::uuid
          AND NOT COALESCE(other.group_id = source.group_id AND other.num > source.num, false))
      INSERT INTO match (video_id, other_video_id, score, kind, offset_sec, segment_start, segment_end, other_start, other_end, flipped, rate,
                         region, other_region, evidence, more_segments, more_other_segments)
      SELECT ${toVideoId}::uuid, other_video_id, score, kind, offset_sec, segment_start, segment_end, other_start, other_end, flipped, rate,
             region, other_region, evidence, more_segments, more_other_segments FROM inherited
      UNION ALL
      -- The mirror rows, as the other videos see them (their further segments in the order read back: see segmentPairs).
      SELECT other_video_id, ${toVideoId}::uuid, score, kind, -offset_sec, other_start, other_end, segment_start, segment_end, flipped,
             round((1 / rate)::numeric, 4)::float8, other_region, region, evidence, more_other_segments, more_segments FROM inherited
      ON CONFLICT (video_id, other_video_id) DO NOTHING`;
  },

  /** Removes every match of a video, in both directions. */
  async deleteAll(tx: Tx, videoId: string): Promise<void> {
    await tx.match.deleteMany({ where: { OR: [{ videoId }, { otherVideoId: videoId }] } });
  },

  /** Removes matches (both directions) between a video and the given others. */
  async delete(tx: Tx, videoId: string, otherVideoIds: readonly string[]): Promise<void> {
    if (otherVideoIds.length === 0) return;
    await tx.match.deleteMany({
      where: {
        OR: [
          { videoId, otherVideoId: { in: [...otherVideoIds] } },
          { otherVideoId: videoId, videoId: { in: [...otherVideoIds] } },
        ],
      },
    });
  },
};

async function upsert(tx: Tx, videoId: string, m: StoredMatch): Promise<void> {
  const more = m.moreSegments.flatMap((s) => [...s.segment]);
  const moreOther = m.moreSegments.flatMap((s) => [...s.otherSegment]);
  await tx.$executeRaw`
    INSERT INTO match (video_id, other_video_id, score, kind, offset_sec, segment_start, segment_end, other_start, other_end, flipped, rate,
                       region, other_region, evidence, more_segments, more_other_segments)
    VALUES (${videoId}::uuid, ${m.otherVideoId}::uuid, ${m.score}, ${TO_DB[m.kind]}::"MatchKind", ${m.offsetSec}, ${m.segment[0]}, ${m.segment[1]}, ${m.otherSegment[0]}, ${m.otherSegment[1]}, ${m.flipped}, ${m.rate},
            ${m.region ? [...m.region] : null}::float8[], ${m.otherRegion ? [...m.otherRegion] : null}::float8[], ${m.evidence}::"MatchEvidence",
            ${more}::float8[], ${moreOther}::float8[])
    ON CONFLICT (video_id, other_video_id) DO UPDATE SET
      score = EXCLUDED.score, kind = EXCLUDED.kind, offset_sec = EXCLUDED.offset_sec,
      segment_start = EXCLUDED.segment_start, segment_end = EXCLUDED.segment_end,
      other_start = EXCLUDED.other_start, other_end = EXCLUDED.other_end, flipped = EXCLUDED.flipped, rate = EXCLUDED.rate,
      region = EXCLUDED.region, other_region = EXCLUDED.other_region, evidence = EXCLUDED.evidence,
      more_segments = EXCLUDED.more_segments, more_other_segments = EXCLUDED.more_other_segments`;
}
