import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { requireEnv, uniqueName } from "../helpers/env.js";

const run = promisify(execFile);

/**
 * Drift guard: the schema and the migrations must describe the same database. Applies all
 * migrations to one empty database and the schema's from-empty diff to another, then
 * compares their catalogs: columns, indexes, constraints and enums. (Not raw `pg_dump`
 * text: ADD COLUMN appends, so column order legitimately differs.)
 */
describe("prisma migrations", () => {
  const base = requireEnv("TEST_DATABASE_URL").replace(/\/[^/]+$/, "");
  const admin = `${base}/postgres`;
  const viaMigrations = uniqueName("drift_m").replace(/-/g, "_");
  const viaSchema = uniqueName("drift_s").replace(/-/g, "_");

  afterAll(async () => {
    for (const db of [viaMigrations, viaSchema]) await run("psql", [admin, "-qc", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`]);
  });

  const CATALOG_QUERIES = [
    `SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`,
    `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2`,
    `SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY 1, e.enumsortorder`,
  ];

  async function dump(db: string): Promise<string> {
    const parts: string[] = [];
    for (const query of CATALOG_QUERIES) parts.push((await run("psql", [`${base}/${db}`, "-Atc", query])).stdout);
    return parts.join("\n---\n");
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
