import type { ObjectStore } from "../objects/s3-object-store.js";
import type { VideoRepository } from "../store/video-repository.js";
import { buildSnapshot, pendingSnapshot, type StatusSnapshot } from "./snapshot.js";

/**
 * Answers "what is the state of this object?": from the database when a job exists (so
 * terminal results survive restarts), `pending` when the object is in the bucket but its
 * event is still on its way, nothing when neither knows it.
 */
export class StatusService {
  constructor(
    private readonly repo: VideoRepository,
    private readonly objects: ObjectStore,
    private readonly bucket: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(key: string): Promise<StatusSnapshot | undefined> {
    const ref = { bucket: this.bucket, key };
    const record = await this.repo.findStatus(ref);
    if (record) return buildSnapshot(record);
    return (await this.objects.head(ref)) ? pendingSnapshot(key, this.now()) : undefined;
  }
}
