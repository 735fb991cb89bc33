import type { Logger } from "pino";
import { describeError, LeaseLostError } from "../domain/errors.js";
import type { JobLease } from "./ports.js";

/**
 * Renews the job's lease every third of its length while the analysis runs. If the lease
 * turns out to be lost (another worker took the job over), the analysis is aborted: the
 * other worker's result is the one that counts. A renewal that fails for lack of a database
 * is only logged; the fenced writes at the end catch a takeover that happened meanwhile.
 */
export class LeaseKeeper {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Aborted on shutdown (the outer signal) or when the lease is lost. */
  readonly signal: AbortSignal;

  constructor(job: JobLease, leaseMs: number, outer: AbortSignal, log: Logger) {
    this.signal = AbortSignal.any([outer, this.lost.signal]);
    this.timer = setInterval(() => {
      job.renew(leaseMs).then(
        (held) => {
          if (held) return;
          log.warn(
            { event: "job.lease_lost" },
            "lease lost (another worker took the job over, or the object was deleted); abandoning this analysis",
          );
          this.lost.abort(new LeaseLostError(job.jobId));
        },
        (err: unknown) => log.warn({ event: "job.lease_renewal_failed", err: describeError(err) }, "lease renewal failed; will try again"),
      );
    }, leaseMs / 3);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
