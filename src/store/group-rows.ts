import type { VideoIds } from "./index-rows.js";
import type { Tx } from "./prisma.js";

/**
 * Duplicate groups, written inside a caller's (fenced) transaction. A video and its whole
 * copies (identical, near-duplicate) share one group id. The id is made when the first copy
 * of a video arrives and then stays, whoever joins or leaves: an erased member's row goes, a
 * new version of a key leaves its group until its own analysis says where it belongs. Groups
 * never merge (that would change an id clients hold): a copy of members of two groups joins
 * the group of the earliest one.
 */
export const groupRows = {
  /**
   * After the final search: the video joins the group of the earliest video it is a whole copy
   * of, which is made if that video has none yet (taking this video's own id when it had one,
   * so a re-analysed earliest member keeps its group). Unchanged when it is nobody's copy.
   * Returns the group joined, if any.
   */
  async join(tx: Tx, video: VideoIds, wholeCopyOf: readonly string[]): Promise<string | undefined> {
    if (wholeCopyOf.length === 0) return undefined;
    // Two copies joining at once both update the original's row: the second waits for the
    // first and then sees its group id (READ COMMITTED re-reads the updated row).
    const [group] = await tx.$queryRaw<{ group_id: string }[]>`
      WITH original AS (SELECT id FROM video WHERE id = ANY(${[...wholeCopyOf]}::uuid[]) ORDER BY num LIMIT 1)
      UPDATE video SET group_id = COALESCE(video.group_id, (SELECT group_id FROM video WHERE id = ${video.id}::uuid), gen_random_uuid())
      FROM original WHERE video.id = original.id
      RETURNING video.group_id`;
    if (!group) return undefined;
    await tx.$executeRaw`UPDATE video SET group_id = ${group.group_id}::uuid WHERE id = ${video.id}::uuid`;
    return group.group_id;
  },

  /** The video leaves its group (a new version of its key: other footage, perhaps). */
  async leave(tx: Tx, videoId: string): Promise<void> {
    await tx.$executeRaw`UPDATE video SET group_id = NULL WHERE id = ${videoId}::uuid AND group_id IS NOT NULL`;
  },
};
