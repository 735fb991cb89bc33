/** A job's states, in the order a job passes through them. */
export const JOB_STATUSES = ["pending", "analyzing", "done", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type TerminalStatus = Extract<JobStatus, "done" | "failed">;

export const isTerminal = (status: JobStatus): status is TerminalStatus => status === "done" || status === "failed";

/**
 * The job state machine. The database enforces the same table with a trigger (migration
 * 0003_job_lease), so no writer, however buggy, can move a job along any other edge.
 *
 *   pending ──▶ analyzing ──▶ done | failed
 *                  │  ▲          │
 *                  │  └──────────┘  a new version of the object, or a permanent retry
 *                  ├──▶ pending      released: a transient failure or a shutdown
 *                  └──▶ analyzing    taken over: its lease expired (its worker died)
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: ["analyzing"],
  analyzing: ["analyzing", "done", "failed", "pending"],
  done: ["analyzing"],
  failed: ["analyzing"],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** A job row as a delivery finds it (under a row lock). */
export interface JobClaimState {
  readonly status: JobStatus;
  readonly leaseExpiresAt: Date | null;
  /** The queue message whose delivery holds (or last held) the job. */
  readonly messageId: string | null;
}

export interface Delivery {
  readonly messageId: string;
  /** The event names another version (ETag) than the one the job was for. */
  readonly newVersion: boolean;
  /** A later event for the same key was already seen (events arrive in any order). */
  readonly superseded: boolean;
}

export type ClaimDecision =
  /** Start analysing: the job is new, released, or this is a new version of the object. */
  | { readonly action: "claim" }
  /**
   * Start analysing in place of the previous holder: its lease ran out, or the message it
   * was working on came back (a holder never gives its message up before a terminal state,
   * so the holder died, gave up, or lost contact).
   */
  | { readonly action: "take-over" }
  /** A newer event for the key was handled already: this one is out of date; acknowledge. */
  | { readonly action: "superseded" }
  /** The same version already reached this terminal state: acknowledge, do nothing. */
  | { readonly action: "already-finished"; readonly status: TerminalStatus }
  /**
   * Another worker holds a live lease on the same version. Its own message covers the
   * work (if that worker dies, the message comes back after its lease has run out).
   */
  | { readonly action: "held-elsewhere" }
  /** Another worker analyses an older version: try this one again once that ends. */
  | { readonly action: "wait"; readonly retryAfterMs: number };

/**
 * What a delivery of an object does with its job. Pure: `now` is the database's clock, so
 * replicas with skewed clocks agree.
 */
export function decideClaim(job: JobClaimState | undefined, now: Date, delivery: Delivery): ClaimDecision {
  const { newVersion } = delivery;
  if (delivery.superseded) return { action: "superseded" };
  if (!job || job.status === "pending") return { action: "claim" };
  if (job.status === "analyzing") {
    const expired = job.leaseExpiresAt === null || job.leaseExpiresAt <= now;
    if (expired || job.messageId === delivery.messageId) return { action: "take-over" };
    return newVersion ? { action: "wait", retryAfterMs: job.leaseExpiresAt.getTime() - now.getTime() } : { action: "held-elsewhere" };
  }
  return newVersion ? { action: "claim" } : { action: "already-finished", status: job.status };
}

/**
 * What a delivery found and did. `J` is the leased job a claim hands over: every write
 * through it presents the lease's fencing token.
 */
export type Claim<J> =
  | { readonly outcome: "claimed"; readonly job: J }
  | { readonly outcome: "superseded"; readonly videoId: string; readonly jobId: string }
  | { readonly outcome: "already-finished"; readonly videoId: string; readonly jobId: string; readonly status: TerminalStatus }
  | { readonly outcome: "held-elsewhere"; readonly videoId: string; readonly jobId: string }
  | { readonly outcome: "wait"; readonly videoId: string; readonly jobId: string; readonly retryAfterMs: number };

/** What handling one object-created event came to. */
export type IngestOutcome = "done" | "failed" | "already-finished" | "held-elsewhere" | "missing";
