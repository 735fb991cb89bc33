import type { Logger } from "pino";
import { describeError } from "../domain/errors.js";
import type { FingerprintBuilder, SearchedSignatures } from "../fingerprint/fingerprint-builder.js";
import { SAMPLE_RATE } from "../fingerprint/signature.js";
import { findDuplicates, toStoredMatch } from "../match/find-duplicates.js";
import type { SignatureIndex } from "../match/signature-index.js";
import type { JobLease } from "./ports.js";

/**
 * Decoded seconds at which the partial signature is matched, until a duplicate shows up. A
 * verdict needs 10 s of matched footage (MIN_FRAGMENT_SEC), which 10 s of decode never quite
 * gives (a match rarely covers the very last samples): the first check is at 11 s, and if
 * that match falls just short, the next at 12 s. A copy whose opening does not match (an
 * intro, a scene too detailed to survive re-encoding) is checked every 3 s up to 24 s, then
 * at doubling lengths, so that a video with no duplicate costs few queries.
 */
export const EARLY_CHECKPOINTS_SEC = [11, 12, 15, 18, 21, 24, 48, 96, 192];

/**
 * Matches the partial signature while the decode runs, so a copy is reported long before
 * its analysis ends. At most one query at a time; the decode never waits for it.
 */
export class EarlyMatcher {
  private running: Promise<void> | undefined;
  private readonly reported = new Set<string>();
  private nextCheckpoint = 0;

  constructor(
    private readonly index: SignatureIndex,
    private readonly job: JobLease,
    private readonly durationSec: Promise<number>,
    private readonly log: Logger,
  ) {}

  offer(fingerprint: FingerprintBuilder): void {
    const decodedSec = fingerprint.sampleCount / SAMPLE_RATE;
    const checkpoint = EARLY_CHECKPOINTS_SEC[this.nextCheckpoint];
    if (this.running || this.reported.size > 0 || checkpoint === undefined || decodedSec < checkpoint) return;
    this.nextCheckpoint += 1;
    this.running = this.match(fingerprint.searched(), decodedSec).finally(() => (this.running = undefined));
  }

  /** Waits for a query still running. */
  async settle(): Promise<void> {
    await this.running;
  }

  /** Videos reported early, which the final match confirms or withdraws. */
  reportedIds(): string[] {
    return [...this.reported];
  }

  private async match(signatures: SearchedSignatures, decodedSec: number): Promise<void> {
    try {
      const footage = { videoNum: this.job.videoNum, ...signatures, durationSec: await this.durationSec, decodedSec };
      const duplicates = await findDuplicates(this.index, footage);
      if (duplicates.length === 0) return;
      await this.job.saveMatches(duplicates.map(toStoredMatch));
      for (const d of duplicates) this.reported.add(d.reference.videoId);
      this.log.info(
        { event: "job.early_verdict", decodedSec, duplicates: duplicates.length, files: duplicates.map((d) => d.reference.key) },
        "early duplicate verdict",
      );
    } catch (err) {
      this.log.warn({ event: "job.early_match_failed", err: describeError(err) }, "early match failed; the final match will run");
    }
  }
}
