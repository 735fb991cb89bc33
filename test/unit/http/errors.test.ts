import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ERROR_CATALOGUE, InspectorError } from "../../../src/domain/errors.js";
import { accessControl } from "../../../src/http/access.js";
import { createApp } from "../../../src/http/app.js";
import { pageRoutes } from "../../../src/http/pages.js";
import { SnapshotStreams } from "../../../src/http/snapshot-stream.js";
import type { StatusService } from "../../../src/status/status-service.js";

/** The app over a status service whose database is down for "down.mp4" and that has a bug for "bug.mp4". */
const status = {
  get: async (key: string) => {
    if (key === "down.mp4") throw new InspectorError("DATABASE_UNAVAILABLE");
    if (key === "bug.mp4") throw new TypeError("cannot read properties of undefined (reading 'status')");
    return undefined;
  },
  recent: async () => ({ videos: [] }),
  defaultBucket: "videos",
  serves: (bucket: string) => bucket === "videos",
} as unknown as StatusService;

let baseUrl = "";
let close: () => void = () => {};
beforeAll(async () => {
  const app = createApp({
    access: accessControl({ authenticator: undefined, rateLimitPerMinute: 1000, sessionTtlSec: 60 }),
    status,
    streams: new SnapshotStreams(status, { maxStreams: 1, pollMs: 1000, heartbeatMs: 15_000, maxLifetimeMs: 60_000 }),
    pages: pageRoutes({
      status,
      thumbnails: {
        get: () => Promise.reject(new InspectorError("THUMBNAILS_BUSY", undefined, { retryAfterMs: 2_000 })),
        check: () => Promise.reject(new InspectorError("NOT_FOUND")),
      },
    }),
    corsOrigins: [],
    log: pino({ level: "silent" }),
    readiness: async () => ({ ready: true, checks: { database: true, storage: true, polling: true, breaker: "closed" } }),
    metrics: { contentType: "text/plain", render: async () => "" },
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

async function get(path: string): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
}

describe("HTTP errors come from the one catalogue", () => {
  it("every code's HTTP status is the catalogue's, and the body carries code and message, never a stack", async () => {
    const cases: [string, keyof typeof ERROR_CATALOGUE][] = [
      ["/status/down.mp4", "DATABASE_UNAVAILABLE"],
      ["/status/bug.mp4", "INTERNAL_ERROR"],
      ["/status/nothing.mp4", "NOT_FOUND"],
      ["/status/", "INVALID_KEY"],
      [`/status/${"k".repeat(1025)}`, "INVALID_KEY"],
      ["/status/%E0%A4%A", "INVALID_REQUEST"],
      ["/thumbnails/a.mp4?t=-1", "INVALID_REQUEST"],
      [`/thumbnails/${"k".repeat(1025)}`, "INVALID_KEY"],
      ["/no/such/route", "ROUTE_NOT_FOUND"],
    ];
    for (const [path, code] of cases) {
      const { status: httpStatus, body } = await get(path);
      expect({ path, httpStatus, code: body.error.code }).toEqual({ path, httpStatus: ERROR_CATALOGUE[code].httpStatus, code });
      expect(body.error.message).not.toMatch(/\n\s+at /);
    }
  });

  it("a busy thumbnail pool answers 503 with Retry-After; HEAD is answered without making a thumbnail", async () => {
    const busy = await fetch(`${baseUrl}/thumbnails/a.mp4?t=1`);
    expect(busy.status).toBe(ERROR_CATALOGUE.THUMBNAILS_BUSY.httpStatus);
    expect(busy.headers.get("retry-after")).toBe("2");
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("THUMBNAILS_BUSY");
    expect((await fetch(`${baseUrl}/thumbnails/a.mp4?t=1`, { method: "HEAD" })).status).toBe(404);
  });
});
