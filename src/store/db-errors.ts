import { InspectorError } from "../domain/errors.js";

/** Driver-adapter error kinds that mean the database is out of reach or overloaded. */
const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TransactionWriteConflict",
  "AuthenticationFailed",
  "DatabaseDoesNotExist",
]);
/** Prisma's own codes for the same: can't reach, timed out, closed, pool timeout, transaction expired. */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);
/** SQLSTATE: connection exception (08…), insufficient resources (53…), shutdown (57P…), statement timeout, serialization failure, deadlock. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)|^(57014|40001|40P01)$/;
const UNAVAILABLE_SYSCALL = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/;

interface ErrorFields {
  readonly code?: unknown;
  readonly kind?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly meta?: { readonly driverAdapterError?: unknown };
}

/** The error and everything it wraps (cause chains, Prisma's driver-adapter error). */
function* chain(err: unknown): Generator<ErrorFields> {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0) {
    const next = pending.shift();
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    const fields = next as ErrorFields;
    yield fields;
    pending.push(fields.cause, fields.meta?.driverAdapterError);
  }
}

/** What in the error says the database could not be reached or could not answer in time, if anything. */
function unavailableBecause(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const code = typeof e.code === "string" ? e.code : "";
    const message = typeof e.message === "string" ? e.message : "";
    if (typeof e.kind === "string" && UNAVAILABLE_KINDS.has(e.kind)) return e.kind;
    if (UNAVAILABLE_SYSCALL.has(code)) return code;
    if (e.kind === "postgres" && UNAVAILABLE_SQLSTATE.test(code)) return `${code} ${message}`.trim();
    if (UNAVAILABLE_MESSAGE.test(message)) return message;
    if (UNAVAILABLE_PRISMA_CODES.has(code)) return code;
  }
  return undefined;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  return unavailableBecause(err) !== undefined;
}

/**
 * Classifies what a database call threw: coded errors pass through, an unreachable or
 * overloaded database becomes DATABASE_UNAVAILABLE (transient), and anything else is left as
 * it is: a bug (a constraint, a trigger refusing a transition, bad SQL), not an outage.
 */
export function toDatabaseError(err: unknown): unknown {
  if (err instanceof InspectorError) return err;
  const because = unavailableBecause(err);
  return because === undefined
    ? err
    : new InspectorError("DATABASE_UNAVAILABLE", `The database could not be reached or could not answer (${because.slice(0, 200)}).`, {
        cause: err,
      });
}
