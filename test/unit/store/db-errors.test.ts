import { describe, expect, it } from "vitest";
import { InspectorError } from "../../../src/domain/errors.js";
import { isDatabaseUnavailable, toDatabaseError } from "../../../src/store/db-errors.js";

/** Errors shaped as Prisma's driver adapter throws them (seen against a closed port and a live server). */
const prismaError = (code: string, cause: Record<string, unknown>) =>
  Object.assign(new Error("Invalid `prisma.$queryRaw()` invocation"), {
    code,
    meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
  });

describe("database error classification", () => {
  it("an unreachable, timed-out, closed or overloaded database is DATABASE_UNAVAILABLE (transient)", () => {
    const outages = [
      prismaError("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 }),
      prismaError("P2010", { kind: "postgres", code: "57014", message: "canceling statement due to statement timeout" }),
      prismaError("P2010", { kind: "postgres", code: "57P01", message: "terminating connection due to administrator command" }),
      prismaError("P2010", { kind: "postgres", code: "08006", message: "connection failure" }),
      prismaError("P2024", {}),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      new Error("Connection terminated unexpectedly"),
      new Error("wrapped", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }),
    ];
    for (const err of outages) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
      expect(toDatabaseError(err)).toMatchObject({ code: "DATABASE_UNAVAILABLE", permanent: false, httpStatus: 503 });
    }
  });

  it("a bug (missing table, broken constraint, a trigger refusing a transition) passes through unclassified", () => {
    const bugs = [
      prismaError("P2010", { kind: "TableDoesNotExist", table: "nonexistent_table" }),
      prismaError("P2010", { kind: "postgres", code: "23505", message: "duplicate key value violates unique constraint" }),
      prismaError("P2010", { kind: "postgres", code: "P0001", message: "illegal transition done → pending" }),
      new TypeError("cannot read properties of undefined"),
    ];
    for (const err of bugs) expect(toDatabaseError(err)).toBe(err);
  });

  it("coded errors raised inside a transaction keep their code", () => {
    const lost = new InspectorError("LEASE_LOST");
    expect(toDatabaseError(lost)).toBe(lost);
  });
});
