import type { Logger } from "pino";
import { describeError } from "../domain/errors.js";
import type { BreakerState, MessageDecision } from "../domain/queue.js";
import type { CircuitBreaker } from "./breaker.js";
import { pause } from "../domain/pause.js";
import type { MessageQueue, QueueMessage } from "./sqs-queue.js";

/** A decision, or a retry at a time the handler knows (a busy job's lease end). */
export type HandlerResult = MessageDecision | { readonly decision: "retry"; readonly afterSec: number };
export type MessageHandler = (message: QueueMessage, signal: AbortSignal) => Promise<HandlerResult>;

export interface ConsumerOptions {
  readonly concurrency: number;
  readonly waitTimeSec: number;
  readonly visibilityTimeoutSec: number;
  readonly shutdownGraceMs: number;
  /**
   * Whether the jobs' own dependencies (the database) are reachable. While they are not,
   * no message is received: a message taken now could only fail, and each failed receive
   * brings it closer to the dead-letter queue.
   */
  readonly dependenciesUp?: () => Promise<boolean>;
  /** Told of each failed receive and each settled message (for metrics). */
  readonly events?: ConsumerEvents;
}

export interface ConsumerEvents {
  receiveFailed(): void;
  messageSettled(decision: MessageDecision): void;
  /** A handler crashed (a bug): counted with the other internal errors. */
  internalError?(): void;
}

/** While dependencies are down, they are checked again after 0.5 s, 1 s, 2 s … up to 5 s. */
const DEPENDENCY_RECHECK_MAX_MS = 5_000;

/** Exponential backoff for transient failures: 10 s, 20 s, 40 s … capped at 15 minutes. */
export function retryDelaySec(receiveCount: number): number {
  return Math.min(900, 10 * 2 ** Math.max(0, receiveCount - 1));
}

/**
 * Long-polls the queue and handles messages with bounded concurrency. It asks only for as
 * many messages as it has free slots, so no message waits invisible behind a slow one; it
 * keeps each in-flight message invisible with a heartbeat; and receive errors go through the
 * circuit breaker, which delays polling but never ends it.
 */
export class QueueConsumer {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pollAbort = new AbortController();
  private readonly jobsAbort = new AbortController();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private slotFreed: (() => void) | undefined;
  private lastPollAt: number | undefined;
  private dependencyChecksFailed = 0;

  constructor(
    private readonly queue: MessageQueue,
    private readonly breaker: CircuitBreaker,
    private readonly handle: MessageHandler,
    private readonly options: ConsumerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop ??= this.pollLoop();
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** True while the loop runs and has polled (or tried to) within two wait periods. */
  get polling(): boolean {
    if (!this.loop || this.stopping) return false;
    const staleAfterMs = (this.options.waitTimeSec * 2 + 30) * 1000;
    return (
      this.lastPollAt === undefined ||
      Date.now() - this.lastPollAt < staleAfterMs ||
      this.breaker.state !== "closed" ||
      this.inFlight.size >= this.options.concurrency
    );
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Stops polling, gives in-flight messages the grace period to finish, then aborts the
   * rest (their child processes are killed) and releases their messages at once. Jobs that
   * outlive a second grace period are left behind, so stop always returns.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pollAbort.abort();
    this.slotFreed?.();
    await this.loop;
    const allDone = Promise.allSettled([...this.inFlight]);
    if (await this.settlesWithinGrace(allDone)) return;
    this.log.warn({ event: "consumer.grace_over", inFlight: this.inFlight.size }, "shutdown grace period over; aborting in-flight jobs");
    this.jobsAbort.abort();
    // A job stuck where the abort cannot reach it (a hung dependency) must not hold the
    // process forever; its message was not deleted and comes back after the visibility timeout.
    if (!(await this.settlesWithinGrace(allDone))) {
      this.log.error(
        { event: "consumer.jobs_abandoned", inFlight: this.inFlight.size },
        "in-flight jobs ignored the abort; stopping without them (their messages will be redelivered)",
      );
    }
  }

  private async settlesWithinGrace(work: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolve) => {
      timer = setTimeout(resolve, this.options.shutdownGraceMs, "timeout");
    });
    try {
      return (await Promise.race([work, graceOver])) !== "timeout";
    } finally {
      clearTimeout(timer);
    }
  }

  private async pollLoop(): Promise<void> {
    this.log.info({ event: "consumer.polling", concurrency: this.options.concurrency }, "consumer polling");
    while (!this.stopping) {
      const free = this.options.concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      if (!(await this.dependenciesReady())) {
        await pause(Math.min(DEPENDENCY_RECHECK_MAX_MS, 250 * 2 ** this.dependencyChecksFailed), this.pollAbort.signal);
        continue;
      }
      const delayMs = this.breaker.delayMs();
      if (delayMs > 0) {
        await pause(delayMs, this.pollAbort.signal);
        if (!this.stopping) this.log.info({ event: "breaker.half_open", breaker: "half-open" }, "breaker half-open; probing the queue");
        continue;
      }
      let messages: QueueMessage[];
      try {
        this.lastPollAt = Date.now();
        messages = await this.queue.receive(Math.min(10, free), this.options.waitTimeSec, this.pollAbort.signal);
        if (this.breaker.state !== "closed" || this.breaker.snapshot().consecutiveFailures > 0) {
          this.log.info({ event: "breaker.closed", breaker: "closed" }, "queue reachable again; breaker closed");
        }
        this.breaker.recordSuccess();
      } catch (err) {
        if (this.stopping) break;
        this.options.events?.receiveFailed();
        const opened = this.breaker.recordFailure();
        const snapshot = this.breaker.snapshot();
        this.log.warn(
          { event: "queue.receive_failed", err: describeError(err), consecutiveFailures: snapshot.consecutiveFailures },
          "queue receive failed",
        );
        if (opened)
          this.log.error(
            // The open time as chosen, not what is left of it by the time this line is written.
            { event: "breaker.open", breaker: "open", retryInMs: snapshot.openMs, openings: snapshot.openings },
            "breaker open; polling paused",
          );
        continue;
      }
      for (const message of messages) this.dispatch(message);
    }
    this.log.info({ event: "consumer.stopped" }, "consumer stopped polling");
  }

  private async dependenciesReady(): Promise<boolean> {
    const check = this.options.dependenciesUp;
    const up = check ? await check().catch(() => false) : true;
    if (up && this.dependencyChecksFailed > 0)
      this.log.info(
        { event: "dependencies.up", pausedChecks: this.dependencyChecksFailed },
        "dependencies reachable again; polling resumed",
      );
    if (!up && this.dependencyChecksFailed === 0)
      this.log.error({ event: "dependencies.down" }, "dependencies (database) unreachable; polling paused until they are back");
    this.dependencyChecksFailed = up ? 0 : this.dependencyChecksFailed + 1;
    return up;
  }

  private dispatch(message: QueueMessage): void {
    const task = this.process(message).finally(() => {
      this.inFlight.delete(task);
      this.slotFreed?.();
    });
    this.inFlight.add(task);
  }

  private async process(message: QueueMessage): Promise<void> {
    const heartbeat = this.startHeartbeat(message);
    let result: HandlerResult;
    try {
      result = await this.handle(message, this.jobsAbort.signal);
    } catch (err) {
      // A bug in the handler itself: loud, and the message goes the dead-letter way.
      this.options.events?.internalError?.();
      this.log.error(
        { event: "message.handler_crashed", messageId: message.id, err },
        "message handler failed unexpectedly; message left for the dead-letter queue",
      );
      result = "leave";
    } finally {
      clearInterval(heartbeat);
    }
    const decision = typeof result === "string" ? result : result.decision;
    this.options.events?.messageSettled(decision);
    try {
      if (decision === "delete") await this.queue.delete(message);
      else if (decision === "retry") {
        const delaySec = this.stopping
          ? this.releaseDelaySec()
          : typeof result === "string"
            ? retryDelaySec(message.receiveCount)
            : result.afterSec;
        await this.queue.setVisibility(message, delaySec);
        this.log.info(
          { event: "message.returned", messageId: message.id, receiveCount: message.receiveCount, retryInSec: delaySec },
          "message returned to the queue",
        );
      }
    } catch (err) {
      // The message comes back after its visibility timeout; the job is idempotent.
      this.log.warn(
        { event: "message.settle_failed", messageId: message.id, decision, err: describeError(err) },
        "could not settle message",
      );
    }
  }

  /**
   * At shutdown a message is given back as soon as no long poll of this process can take it.
   * The poll aborted by stop() ends only on our side: SQS keeps it open until its wait is over
   * and hands it the next visible message, which then nobody reads until its visibility
   * timeout. So a released message stays invisible until that wait has passed, and no longer.
   */
  private releaseDelaySec(): number {
    if (this.lastPollAt === undefined || this.options.waitTimeSec === 0) return 0;
    const openForMs = this.lastPollAt + this.options.waitTimeSec * 1000 - Date.now();
    return openForMs > 0 ? Math.ceil(openForMs / 1000) + 1 : 0;
  }

  private startHeartbeat(message: QueueMessage): NodeJS.Timeout {
    const periodMs = (this.options.visibilityTimeoutSec * 1000) / 3;
    return setInterval(() => {
      this.queue.setVisibility(message, this.options.visibilityTimeoutSec).catch((err: unknown) => {
        this.log.warn({ event: "message.heartbeat_failed", messageId: message.id, err: describeError(err) }, "visibility heartbeat failed");
      });
    }, periodMs);
  }
}
