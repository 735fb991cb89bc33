import { execFile } from "node:child_process";
import { cp, mkdtemp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
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
  const halfway = uniqueName("broken_m").replace(/-/g, "_");

  afterAll(async () => {
    for (const db of [viaMigrations, viaSchema, halfway]) await run("psql", [admin, "-qc", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`]);
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
    const { stdout: sql } = await run(
      "npx",
      ["prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      {
        env: { ...process.env, DATABASE_URL: `${base}/${viaSchema}` },
      },
    );
    expect(sql).toContain("CREATE TABLE");
    await run("psql", [`${base}/${viaSchema}`, "-v", "ON_ERROR_STOP=1", "-qc", sql]);
    expect(await dump(viaMigrations)).toEqual(await dump(viaSchema));
  });

  it("roll back completely when a migration fails halfway", async () => {
    // The real migrations plus one that creates a table, alters another, then fails.
    const dir = await mkdtemp(path.join(os.tmpdir(), "tvidz-migrations-"));
    try {
      await cp("prisma/schema.prisma", path.join(dir, "schema.prisma"));
      await cp("prisma/migrations", path.join(dir, "migrations"), { recursive: true });
      await mkdir(path.join(dir, "migrations", "9999_broken"));
      await writeFile(
        path.join(dir, "migrations", "9999_broken", "migration.sql"),
        `CREATE TABLE half_done (id int);\nALTER TABLE video ADD COLUMN half_done int;\nSELECT 1 / 0;\n`,
      );
      await run("psql", [admin, "-qc", `CREATE DATABASE "${halfway}"`]);
      const env = { ...process.env, DATABASE_URL: `${base}/${halfway}` };
      await expect(run("npx", ["prisma", "migrate", "deploy", "--schema", path.join(dir, "schema.prisma")], { env })).rejects.toThrow(
        /9999_broken/,
      );

      const query = async (sql: string) => (await run("psql", [`${base}/${halfway}`, "-Atc", sql])).stdout.trim();
      expect(await query(`SELECT to_regclass('half_done') IS NULL`)).toBe("t");
      expect(await query(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'video' AND column_name = 'half_done'`)).toBe(
        "0",
      );
      // The migrations before it are intact and the failure is on record for `migrate resolve`.
      expect(await query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL`)).toBe("9999_broken");
      expect(await query(`SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL`)).toBe(
        String(await countMigrations("prisma/migrations")),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("prisma generate", () => {
  it("generates the client offline with no warning (no deprecated preview feature)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "tvidz-generate-"));
    try {
      const schema = (await readFile("prisma/schema.prisma", "utf8")).replace(/output\s*=\s*"[^"]*"/, 'output = "./client"');
      await writeFile(path.join(dir, "schema.prisma"), schema);
      const env = { ...process.env, DATABASE_URL: "postgresql://localhost/generate" };
      const { stdout, stderr } = await run("npx", ["prisma", "generate", "--schema", path.join(dir, "schema.prisma")], { env });
      expect(stdout).toContain("Generated Prisma Client");
      expect(`${stdout}${stderr}`).not.toMatch(/warn|deprecated/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function countMigrations(dir: string): Promise<number> {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).length;
}
