import { decodeAudioPrint } from "../fingerprint/audio-print.js";
import { videoIndexEntries } from "../fingerprint/stored-rows.js";
import { decodeSignature, type IndexEntry } from "../fingerprint/signature.js";
import { WHOLE_COPY_KINDS } from "./match-store.js";
import type { Tx } from "./prisma.js";

/** A video row's identity: its id, and its number in the index. */
export interface VideoIds {
  readonly id: string;
  readonly num: number;
}

/**
 * A video's rows in frame_index, written inside a caller's (fenced) transaction.
 *
 * Footage is indexed once: a video found to be a whole copy (identical, near-duplicate) of an
 * older indexed video leaves the index to it, so a video uploaded a thousand times puts one
 * set of rows in the index, not a thousand, and the stop-list counts footage, not uploads.
 * When an indexed video's rows go (erasure, a new version), the oldest whole copy without
 * rows takes its place, so the footage stays findable.
 */
export const indexRows = {
  /** The video's rows become `entries`, in B-tree order (half the cost of random order). */
  async replace(tx: Tx, video: VideoIds, entries: readonly IndexEntry[]): Promise<void> {
    await indexRows.remove(tx, video);
    await insert(tx, video.num, entries);
  },

  /** The video's rows go; its oldest unindexed whole copy takes its place. */
  async remove(tx: Tx, video: VideoIds): Promise<void> {
    const removed = await tx.$executeRaw`DELETE FROM frame_index WHERE video_num = ${video.num}`;
    if (removed === 0) return;
    const copies = await tx.$queryRaw<{ num: number }[]>`
      SELECT v.num FROM match m JOIN video v ON v.id = m.other_video_id
      WHERE m.video_id = ${video.id}::uuid AND m.kind = ANY(${[...WHOLE_COPY_KINDS]}::"MatchKind"[]) AND v.signature IS NOT NULL
      ORDER BY v.num`;
    for (const copy of copies) {
      if (await isIndexed(tx, copy.num)) continue;
      // Only the heir's signature is read: a popular video has thousands of copies.
      const heir = await tx.video.findUniqueOrThrow({
        where: { num: copy.num },
        select: { signature: true, stripSignature: true, audioPrint: true },
      });
      if (!heir.signature) continue;
      const strip = heir.stripSignature && decodeSignature(heir.stripSignature);
      const audio = heir.audioPrint && decodeAudioPrint(heir.audioPrint);
      await insert(tx, copy.num, videoIndexEntries(decodeSignature(heir.signature), strip, audio));
      return;
    }
  },

  /**
   * After the final search: a whole copy of an older video that is still there leaves the
   * index to it. Returns whether it did.
   */
  async leaveToOriginal(tx: Tx, video: VideoIds, wholeCopyOf: readonly string[]): Promise<boolean> {
    if (wholeCopyOf.length === 0) return false;
    const [older] = await tx.$queryRaw<{ num: number }[]>`
      SELECT num FROM video WHERE id = ANY(${[...wholeCopyOf]}::uuid[]) AND num < ${video.num} LIMIT 1`;
    if (!older) return false;
    await tx.$executeRaw`DELETE FROM frame_index WHERE video_num = ${video.num}`;
    return true;
  },
};

// Each statement touches frame_index alone: a key-distributed engine runs statements that
// mix it with the catalog's other (coordinator-local) tables poorly or not at all.
async function isIndexed(tx: Tx, videoNum: number): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM frame_index WHERE video_num = ${videoNum} LIMIT 1`;
  return rows.length > 0;
}

async function insert(tx: Tx, videoNum: number, entries: readonly IndexEntry[]): Promise<void> {
  // No ON CONFLICT (it doubles the cost): a video's rows are unique, and its earlier ones are
  // deleted first, under the lease's row lock.
  await tx.$executeRaw`
    INSERT INTO frame_index (key, video_num, sample)
    SELECT k, ${videoNum}, s FROM unnest(${entries.map((e) => e.key)}::int4[], ${entries.map((e) => e.sample)}::int4[]) AS t(k, s)
    ORDER BY k`;
}
