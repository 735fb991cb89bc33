import type { Logger } from "pino";
import { eventOrder, type Erasure, type ObjectRemoved } from "../domain/object-event.js";
import type { ObjectStore } from "../objects/object-store.js";

export interface ForgetDeps {
  readonly objects: Pick<ObjectStore, "head">;
  /** ObjectEraser in production. */
  readonly catalog: { erase(ref: ObjectRemoved, order: string | undefined, etagInBucket: string | undefined): Promise<Erasure> };
  readonly log: Logger;
}

const TEXTS: Record<Erasure, string> = {
  erased: "removed object forgotten: its fingerprint, index rows, cuts and matches are deleted",
  "nothing-stored": "removed object had nothing stored",
  "kept-newer": "removal older than the stored version's event; kept",
  "kept-in-bucket": "removal not true of the stored version, which the bucket still holds; kept",
};

/**
 * An object was removed (deleted, or hidden by a delete marker): forget everything derived
 * from it. The event is a hint, like a creation's: the bucket is asked first, so a forged or
 * stale removal of an object that is still there, unchanged, erases nothing.
 */
export async function forgetObject(deps: ForgetDeps, object: ObjectRemoved, messageId: string): Promise<Erasure> {
  const log = deps.log.child({ key: object.key, bucket: object.bucket, messageId });
  const head = await deps.objects.head(object);
  const erasure = await deps.catalog.erase(object, eventOrder(object), head?.etag);
  log.info({ event: `object.${erasure.replace(/-/g, "_")}`, inBucket: head !== undefined }, TEXTS[erasure]);
  return erasure;
}
