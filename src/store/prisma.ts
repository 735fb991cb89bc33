import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { toDatabaseError } from "./db-errors.js";

export interface DbOptions {
  readonly url: string;
  readonly poolMax: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Called after every query (model or raw) with its operation name and duration. */
  readonly onQuery?: (operation: string, seconds: number) => void;
}

/**
 * The pg pool waits forever for a connection by default; bounded connect and statement
 * timeouts turn a dead database into an error the caller can retry instead of a hang. The
 * server enforces the statement timeout; the client's query timeout, a little longer, ends
 * a query whose answer can no longer arrive (the connection died silently).
 */
const CLIENT_QUERY_MARGIN_MS = 5_000;

export function createDb(options: DbOptions) {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + CLIENT_QUERY_MARGIN_MS,
  });
  const onQuery = options.onQuery;
  return new PrismaClient({ adapter }).$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const started = performance.now();
        try {
          return (await query(args)) as unknown;
        } catch (err) {
          throw toDatabaseError(err);
        } finally {
          onQuery?.(model ? `${model}.${operation}` : operation, (performance.now() - started) / 1000);
        }
      },
    },
  });
}

export type Db = ReturnType<typeof createDb>;
/** The client inside an interactive transaction. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** An interactive transaction whose failure to begin or commit is classified like any query's. */
export async function transaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(work);
  } catch (err) {
    throw toDatabaseError(err);
  }
}

export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

/**
 * Closes the pool, waiting at most `timeoutMs`: a connection cut in the middle of a query (a
 * database outage) can leave the pool waiting for it. Returns whether it closed in time.
 */
export async function closeDb(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
  try {
    return (await Promise.race([db.$disconnect(), late])) !== "late";
  } finally {
    clearTimeout(timer);
  }
}
