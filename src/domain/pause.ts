/**
 * Waits `ms`, or less if `signal` aborts first; never rejects, and leaves no listener behind
 * (a long-running poller pauses many times on one signal). Global timers, so fake clocks drive it.
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
