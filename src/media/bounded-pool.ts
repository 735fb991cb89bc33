import { InspectorError, type ErrorCode } from "../domain/errors.js";

/**
 * At most `slots` jobs at once and `queue` waiting; past that a job is refused at once with
 * `busy` (a 503 with Retry-After at the HTTP edge), so no request burst can pile up processes.
 */
export class BoundedPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly slots: number,
    private readonly queue: number,
    private readonly busy: ErrorCode,
    private readonly retryAfterMs: number,
  ) {}

  get active(): number {
    return this.running;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.slots) this.running += 1;
    else if (this.waiting.length < this.queue) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new InspectorError(this.busy, undefined, { retryAfterMs: this.retryAfterMs });
    try {
      return await work();
    } finally {
      // A waiting job takes the slot over; otherwise it is free again.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
