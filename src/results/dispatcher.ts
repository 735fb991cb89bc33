import type { Logger } from "pino";
import { describeError } from "../domain/errors.js";
import { pause } from "../domain/pause.js";
import { destinationKind, type ResultDestination } from "../domain/result-event.js";
import { retryDelayMs } from "../domain/retry.js";
import type { ClaimedDelivery, ResultOutbox } from "../store/result-outbox.js";
import { resultEventBody } from "./result-event.js";
import type { SendEvent } from "./senders.js";

export type DestinationKind = ReturnType<typeof destinationKind>;

export interface DispatcherOptions {
  /** How often an idle dispatcher looks for due deliveries. */
  readonly pollMs: number;
  /** Deliveries claimed (and sent concurrently) at once. */
  readonly batch: number;
  /** How long a claimed delivery is this replica's: longer than any send may take. */
  readonly leaseMs: number;
  /** Attempts before a delivery is parked. */
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly random?: () => number;
}

/** Told how each attempt ended (for metrics). */
export type DeliveryOutcome = "delivered" | "retry" | "parked";

/**
 * Delivers the outbox: on every replica, each claiming due deliveries under a lease (so one
 * send is in flight per event and destination), sending each to its destination, deleting it
 * once accepted, and otherwise retrying it with exponential backoff and jitter until the
 * last attempt parks it. Delivery is at least once: a receiver deduplicates by event id.
 */
export class ResultDispatcher {
  private running = false;
  private outboxDown = false;
  private loop: Promise<void> = Promise.resolve();
  private stopping = new AbortController();
  private readonly random: () => number;

  constructor(
    private readonly outbox: Pick<ResultOutbox, "claimDue" | "delivered" | "retryLater" | "park">,
    private readonly senders: Partial<Record<DestinationKind, SendEvent>>,
    private readonly options: DispatcherOptions,
    private readonly log: Logger,
    private readonly onAttempt: (kind: DestinationKind, outcome: DeliveryOutcome) => void = () => {},
  ) {
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loop = this.run();
  }

  /** Stops claiming; resolves once the sends in flight have ended (each is bounded by its timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.loop;
  }

  /** One round: claims what is due and settles each; how many were claimed. */
  async dispatchDue(): Promise<number> {
    const due = await this.outbox.claimDue(this.options.batch, this.options.leaseMs);
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
    return due.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.dispatchDue();
        if (this.outboxDown) this.log.info({ event: "results.outbox_available" }, "the result outbox answers again");
        this.outboxDown = false;
      } catch (err) {
        // One line when the outbox becomes unreachable, not one per poll.
        if (!this.outboxDown)
          this.log.warn({ event: "results.outbox_unavailable", err: describeError(err) }, "could not read the result outbox; trying again");
        this.outboxDown = true;
      }
      if (claimed < this.options.batch && this.running) await pause(this.options.pollMs, this.stopping.signal);
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const destination = delivery.destination;
    const kind = destinationKind(destination);
    const { event } = delivery;
    const log = this.log.child({ key: event.record.key, eventId: event.id, eventType: event.type, destination: redact(destination) });
    try {
      const send = this.senders[kind];
      if (!send) throw new Error(`no ${kind} sender is configured on this replica`);
      await send(destination.slice(kind.length + 1), resultEventBody(event), {
        id: event.id,
        type: event.type,
        groupId: `${event.record.bucket}/${event.record.key}`,
      });
    } catch (err) {
      await this.failed(delivery, kind, describeError(err), log);
      return;
    }
    await this.outbox.delivered(delivery);
    this.onAttempt(kind, "delivered");
    log.info({ event: "result.delivered", attempt: delivery.attempt }, "result event delivered");
  }

  private async failed(delivery: ClaimedDelivery, kind: DestinationKind, reason: string, log: Logger): Promise<void> {
    if (delivery.attempt >= this.options.maxAttempts) {
      await this.outbox.park(delivery, reason);
      this.onAttempt(kind, "parked");
      log.error(
        { event: "result.parked", attempt: delivery.attempt, reason },
        "result event not accepted after the last retry: parked (README: re-driving parked events)",
      );
      return;
    }
    const delayMs = retryDelayMs(delivery.attempt, this.options.retryBaseMs, this.options.retryMaxMs, this.random);
    await this.outbox.retryLater(delivery, delayMs, reason);
    this.onAttempt(kind, "retry");
    log.warn(
      { event: "result.retry_scheduled", attempt: delivery.attempt, retryInMs: delayMs, reason },
      "result event not accepted; will retry",
    );
  }
}

/** Destinations in logs: a webhook URL without its query (receivers put tokens there) or credentials. */
function redact(destination: ResultDestination): string {
  if (!destination.startsWith("webhook:")) return destination;
  try {
    const url = new URL(destination.slice("webhook:".length));
    return `webhook:${url.origin}${url.pathname}`;
  } catch {
    return "webhook:(invalid URL)";
  }
}
