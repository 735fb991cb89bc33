import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { requireEnv, uniqueName } from "../helpers/env.js";

const run = promisify(execFile);

/**
 * Drift guard: the schema and the migrations must describe the same database. Applies all
 * migrations to one empty database and the schema's from-empty diff to another, then
 * compares `pg_dump --schema-only` of the two.
 */
describe("prisma migrations", () => {
  const base = requireEnv("TEST_DATABASE_URL").replace(/\/[^/]+$/, "");
  const admin = `${base}/postgres`;
  const viaMigrations = uniqueName("drift_m").replace(/-/g, "_");
  const viaSchema = uniqueName("drift_s").replace(/-/g, "_");

  afterAll(async () => {
    for (const db of [viaMigrations, viaSchema]) await run("psql", [admin, "-qc", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`]);
  });

  async function dump(db: string): Promise<string> {
    const { stdout } = await run("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", "--exclude-table=_prisma_migrations", `${base}/${db}`]);
    return stdout.replace(/^--.*$/gm, "").replace(/^\\(un)?restrict .*$/gm, "").replace(/\n{2,}/g, "\n").trim();
  }

  it("produce exactly the schema in schema.prisma", async () => {
    for (const db of [viaMigrations, viaSchema]) await run("psql", [admin, "-qc", `CREATE DATABASE "${db}"`]);
    await run("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: `${base}/${viaMigrations}` } });
    const { stdout: sql } = await run("npx", ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"], {
      env: { ...process.env, DATABASE_URL: `${base}/${viaSchema}` },
    });
    expect(sql).toContain("CREATE TABLE");
    await run("psql", [`${base}/${viaSchema}`, "-v", "ON_ERROR_STOP=1", "-qc", sql]);
    expect(await dump(viaMigrations)).toEqual(await dump(viaSchema));
  });
});
