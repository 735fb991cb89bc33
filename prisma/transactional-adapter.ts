import { PrismaPg } from "prisma-migrate-adapter";

type MigrationAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;
/** What the adapter has at runtime but does not declare: its pool and its error mapper. */
interface AdapterInternals {
  underlyingDriver(): { query(sql: string): Promise<unknown> };
  onError(error: unknown): never;
}

/**
 * The driver adapter `prisma migrate` uses, with one fix: the stock adapter splits a
 * migration script on every `;` (breaking function bodies and `;` in comments) and runs the
 * pieces one by one in autocommit, so a migration failing halfway left half of it applied.
 * Here the script goes to PostgreSQL whole, as one simple-protocol query, which PostgreSQL
 * runs as a single implicit transaction: a migration applies completely or not at all.
 */
export class TransactionalMigrationAdapter extends PrismaPg {
  override async connect(): Promise<MigrationAdapter> {
    const adapter = await super.connect();
    const internals = adapter as unknown as AdapterInternals;
    adapter.executeScript = async (script: string) => {
      try {
        await internals.underlyingDriver().query(script);
      } catch (error) {
        internals.onError(error);
      }
    };
    return adapter;
  }
}
