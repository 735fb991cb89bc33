/**
 * Integration tests need the stack that scripts/test-all.sh starts. A missing variable is a
 * failure, never a skip: a test that did not run must not look like one that passed.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm run test:all", which starts moto and PostgreSQL`);
  return value;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Polls `probe` until it returns a value (not undefined) or the timeout passes. A probe that
 * hangs (a request nobody answers) is abandoned at the deadline, so the failure names what was
 * awaited instead of running into the test's own timeout.
 */
const EXPIRED = Symbol("expired");

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<typeof EXPIRED>((resolve) => {
      timer = setTimeout(() => resolve(EXPIRED), Math.max(0, deadline - Date.now()));
    });
    try {
      const value = await Promise.race([probe(), expired]);
      if (value === EXPIRED) {
        last = new Error("the last probe was still unanswered");
        break;
      }
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    } finally {
      clearTimeout(timer);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}
