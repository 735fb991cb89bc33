/** The queue side's vocabulary, shared with metrics and the readiness report. */

/**
 * What happens to a message once it has been handled:
 * - `delete`: its outcome is stored (or it needs none);
 * - `retry`: a transient failure; it comes back after a backoff;
 * - `leave`: it can never be handled; it returns after the visibility timeout and, after
 *   the redrive policy's maxReceiveCount, moves to the dead-letter queue.
 */
export const MESSAGE_DECISIONS = ["delete", "retry", "leave"] as const;
export type MessageDecision = (typeof MESSAGE_DECISIONS)[number];

/** The poll loop's circuit breaker (src/queue/breaker.ts). */
export const BREAKER_STATES = ["closed", "open", "half-open"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];
