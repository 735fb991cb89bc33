import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { JOB_STATUSES, type JobStatus } from "./domain/job.js";
import { BREAKER_STATES, MESSAGE_DECISIONS, type BreakerState, type MessageDecision } from "./domain/queue.js";

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  breakerState(): BreakerState | undefined;
  jobsByStatus(): Promise<Partial<Record<JobStatus, number>>>;
  /** Result-event deliveries parked after their last retry (all replicas). */
  parkedResults(): Promise<number>;
}

const DESTINATIONS = ["sqs", "sns", "webhook"] as const;
const DELIVERY_OUTCOMES = ["delivered", "retry", "parked"] as const;

/**
 * The service's Prometheus metrics (GET /metrics). The components do not know prom-client:
 * they call the small hooks below, which the composition root connects.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly analysisDuration = new Histogram({
    name: "tvidz_analysis_duration_seconds",
    help: "Wall time of one analysis, from claiming the job to its outcome",
    labelNames: ["outcome"] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  private readonly receiveErrors = new Counter({
    name: "tvidz_queue_receive_errors_total",
    help: "Failed ReceiveMessage calls (each one counts towards opening the breaker)",
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: "tvidz_messages_total",
    help: "Handled messages by decision: delete, retry (back to the queue with backoff), leave (on the way to the dead-letter queue)",
    labelNames: ["decision"] as const,
    registers: [this.registry],
  });
  private readonly childStops = new Counter({
    name: "tvidz_child_process_kills_total",
    help: "ffmpeg/ffprobe process trees killed, by tool and reason (timeout, aborted)",
    labelNames: ["tool", "reason"] as const,
    registers: [this.registry],
  });
  private readonly internalErrors = new Counter({
    name: "tvidz_internal_errors_total",
    help: "Bugs: errors nothing classified, by where they struck (analysis: the job failed as INTERNAL_ERROR; message: left for the dead-letter queue)",
    labelNames: ["stage"] as const,
    registers: [this.registry],
  });
  private readonly dbQueries = new Histogram({
    name: "tvidz_db_query_duration_seconds",
    help: "Database query latency by operation",
    labelNames: ["operation"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: "tvidz_result_deliveries_total",
    help: "Result-event delivery attempts by destination kind and outcome (delivered, retry scheduled, parked)",
    labelNames: ["destination", "outcome"] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    // Every documented label set exists from the start at zero: dashboards and alerts see 0, not "no data".
    for (const stage of ["analysis", "message"] as const) this.internalErrors.inc({ stage }, 0);
    for (const decision of MESSAGE_DECISIONS) this.messages.inc({ decision }, 0);
    for (const tool of ["ffmpeg", "ffprobe"]) for (const reason of ["timeout", "aborted"]) this.childStops.inc({ tool, reason }, 0);
    for (const outcome of ["done", "failed", "interrupted"]) this.analysisDuration.zero({ outcome });
    for (const destination of DESTINATIONS) for (const outcome of DELIVERY_OUTCOMES) this.deliveries.inc({ destination, outcome }, 0);
    collectDefaultMetrics({ register: this.registry, prefix: "tvidz_" });
    new Gauge({
      name: "tvidz_breaker_state",
      help: "1 for the queue circuit breaker's current state",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const current = sources.breakerState();
        for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Gauge({
      name: "tvidz_jobs",
      help: "Jobs in the database by state",
      labelNames: ["status"] as const,
      registers: [this.registry],
      async collect() {
        // With the database down the last known counts stay; the scrape itself must not fail.
        const counts = await sources.jobsByStatus().catch(() => undefined);
        if (counts) for (const status of JOB_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
    new Gauge({
      name: "tvidz_result_events_parked",
      help: "Result-event deliveries parked after their last retry, waiting for an operator (README: Result events)",
      registers: [this.registry],
      async collect() {
        const parked = await sources.parkedResults().catch(() => undefined);
        if (parked !== undefined) this.set(parked);
      },
    });
  }

  readonly resultAttempt = (destination: (typeof DESTINATIONS)[number], outcome: (typeof DELIVERY_OUTCOMES)[number]): void => {
    this.deliveries.inc({ destination, outcome });
  };

  readonly analysisFinished = (outcome: "done" | "failed" | "interrupted", seconds: number): void => {
    this.analysisDuration.observe({ outcome }, seconds);
  };

  readonly receiveFailed = (): void => {
    this.receiveErrors.inc();
  };

  readonly messageSettled = (decision: MessageDecision): void => {
    this.messages.inc({ decision });
  };

  readonly childKilled = (command: string, reason: "timed-out" | "aborted"): void => {
    this.childStops.inc({ tool: command.split("/").pop() ?? command, reason: reason === "timed-out" ? "timeout" : "aborted" });
  };

  readonly internalError = (stage: "analysis" | "message"): void => {
    this.internalErrors.inc({ stage });
  };

  readonly queryDone = (operation: string, seconds: number): void => {
    this.dbQueries.observe({ operation }, seconds);
  };
}
