import type { BreakerState } from "../domain/queue.js";

export type { BreakerState };

/**
 * A consecutive-failure circuit breaker for the poll loop, pure apart from the injected
 * clock and random source.
 *
 *   closed --N consecutive failures--> open --open time elapsed--> half-open
 *   half-open --probe succeeds--> closed;  half-open --probe fails--> open (longer)
 *
 * The open time grows exponentially with each consecutive opening (capped) and carries
 * "equal jitter" so replicas that lost the queue together do not probe in lockstep. The
 * breaker never gives up: it only ever delays the next attempt.
 */
export interface BreakerOptions {
  readonly failureThreshold: number;
  readonly baseOpenMs: number;
  readonly maxOpenMs: number;
  readonly now: () => number;
  /** Returns a value in [0, 1). */
  readonly random: () => number;
}

export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  readonly openings: number;
  readonly retryAt: number | undefined;
  /** How long the last opening keeps the breaker open, as chosen when it opened; undefined: never opened since the last success. */
  readonly openMs: number | undefined;
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  /** Consecutive openings without a success in between; drives the exponential open time. */
  private openings = 0;
  private openUntil: number | undefined;
  private openMs: number | undefined;

  constructor(private readonly options: BreakerOptions) {}

  get state(): BreakerState {
    if (this.openUntil === undefined) return "closed";
    return this.options.now() < this.openUntil ? "open" : "half-open";
  }

  /** Milliseconds to wait before the next attempt is allowed (0 when closed or half-open). */
  delayMs(): number {
    return this.openUntil === undefined ? 0 : Math.max(0, this.openUntil - this.options.now());
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.openings = 0;
    this.openUntil = undefined;
    this.openMs = undefined;
  }

  /** Returns true when this failure opened (or re-opened) the breaker. */
  recordFailure(): boolean {
    this.consecutiveFailures += 1;
    const probeFailed = this.state === "half-open";
    if (!probeFailed && this.consecutiveFailures < this.options.failureThreshold) return false;
    this.openings += 1;
    this.openMs = this.openDurationMs();
    this.openUntil = this.options.now() + this.openMs;
    return true;
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.state,
      consecutiveFailures: this.consecutiveFailures,
      openings: this.openings,
      retryAt: this.openUntil,
      openMs: this.openMs,
    };
  }

  private openDurationMs(): number {
    const { baseOpenMs, maxOpenMs, random } = this.options;
    const exponential = Math.min(maxOpenMs, baseOpenMs * 2 ** (this.openings - 1));
    return exponential / 2 + random() * (exponential / 2);
  }
}
