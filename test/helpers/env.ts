import { vi } from "vitest";

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
 * Waits until `probe` returns a value (not undefined), with vitest's own vi.waitFor: a probe
 * that hangs is abandoned at the deadline, and the failure names what was awaited.
 */
export function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (value === undefined) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 250 },
  );
}
