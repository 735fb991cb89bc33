import { isOlderEvent, normaliseEtag, type Erasure, type ObjectRef } from "../domain/object-event.js";
import { transaction, type Db } from "./prisma.js";
import { indexRows } from "./index-rows.js";
import { outboxRows } from "./result-outbox.js";

/**
 * Forgets a removed object: everything derived from its bytes, in one transaction. Deleting
 * the video row cascades to its job (which revokes a running analysis's lease: its next fenced
 * write fails), its scene cuts and every match row that names it; the index rows, which have
 * no foreign key, are deleted by the video's number (its oldest unindexed whole copy takes
 * their place: indexRows.remove), and undelivered result events of other
 * videos stop naming it (outboxRows.forget). The video row is locked first, as a
 * claim locks it, so a claim and an erasure of one key never deadlock.
 */
export class ObjectEraser {
  constructor(private readonly db: Db) {}

  async erase(ref: ObjectRef, order: string | undefined, etagInBucket: string | undefined): Promise<Erasure> {
    return transaction(this.db, async (tx) => {
      const [video] = await tx.$queryRaw<{ id: string; num: number; etag: string | null; event_order: string | null }[]>`
        SELECT id, num, etag, event_order FROM video WHERE bucket = ${ref.bucket} AND key = ${ref.key} FOR UPDATE`;
      if (!video) return "nothing-stored";
      if (isOlderEvent(order, video.event_order)) return "kept-newer";
      const inBucket = normaliseEtag(etagInBucket);
      if (inBucket !== null && inBucket === video.etag) return "kept-in-bucket";
      await indexRows.remove(tx, video);
      await tx.$executeRaw`DELETE FROM video WHERE id = ${video.id}::uuid`;
      await outboxRows.forget(tx, ref);
      return "erased";
    });
  }
}
