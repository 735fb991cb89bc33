/**
 * The wait before retry number `attempt` (1 = the first retry): exponential from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so that senders that
 * failed together do not retry together, yet never retry at once.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
