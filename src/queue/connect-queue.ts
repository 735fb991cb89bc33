import type { Logger } from "pino";
import { describeError } from "../domain/errors.js";
import { retryDelayMs } from "../domain/retry.js";
import { pause } from "../domain/pause.js";

/** Retries of a queue that is not there yet: from 1 s, doubling, at most 30 s apart (jittered). */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export interface ConnectOptions {
  readonly queueName: string;
  /** Stops the retries (the service is stopping): the result is then undefined. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly random?: () => number;
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Connects to the queue, retrying while it (or the emulator) is not there yet: a service may
 * start before its queue exists. Each failed attempt logs `queue.not_found` with the wait
 * before the next; the wait ends at once when `signal` aborts, so a stop never waits for it.
 */
export async function connectWithRetry<Q>(connect: () => Promise<Q>, options: ConnectOptions): Promise<Q | undefined> {
  const { signal, log, random = Math.random, wait = pause } = options;
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      const queue = await connect();
      return signal.aborted ? undefined : queue;
    } catch (err) {
      const retryInMs = retryDelayMs(attempt, RETRY_BASE_MS, RETRY_MAX_MS, random);
      log.warn({ event: "queue.not_found", queue: options.queueName, err: describeError(err), retryInMs }, "queue not reachable yet");
      await wait(retryInMs, signal);
    }
  }
  return undefined;
}
