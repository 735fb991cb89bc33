/**
 * Access control against the real service: nothing but health, readiness and the contract is
 * open; statuses, pictures and metrics need their own scope; the pages get a cookie session;
 * the expensive routes are rate-limited per client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, ISSUER, sha256Hex, TestIssuer } from "../helpers/oidc-issuer.js";
import { startStack, type TestStack } from "../helpers/stack.js";

const READER = "reader-key-5f0c1e9a7b2d4c6e8f10";
const VIEWER = "viewer-key-9a8b7c6d5e4f3a2b1c0d";
const SCRAPER = "scraper-token-1a2b3c4d5e6f7a8b";
const BUSY = "busy-client-key-0f1e2d3c4b5a6978";

let stack: TestStack;
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await TestIssuer.start();
  stack = await startStack("access", {
    AUTH_MODE: "required",
    API_KEYS: `reader:${sha256Hex(READER)}:status:read,viewer:${sha256Hex(VIEWER)}:status:read+media:read,busy:${sha256Hex(BUSY)}:media:read`,
    METRICS_TOKEN_SHA256: sha256Hex(SCRAPER),
    OIDC_JWKS_URL: issuer.jwksUrl,
    OIDC_ISSUER: ISSUER,
    OIDC_AUDIENCE: AUDIENCE,
    SESSION_SECRET: "x".repeat(40),
    RATE_LIMIT_PER_MINUTE: "5",
  });
});

afterAll(async () => {
  await stack?.stop();
  await issuer?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.baseUrl}${path}`, { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("access control", () => {
  it("without credentials only health, readiness and the contract answer; nothing says whether a key exists", async () => {
    for (const open of ["/healthz", "/openapi.json", "/login", "/assets/login.js", "/"]) expect((await get(open)).status, open).toBe(200);
    expect([200, 503]).toContain((await get("/readyz")).status);
    for (const closed of ["/status/any.mp4", "/status/stream/any.mp4", "/api/videos", "/thumbnails/any.mp4?t=1", "/metrics"]) {
      const response = await get(closed);
      expect(response.status, closed).toBe(401);
      expect(response.headers.get("www-authenticate"), closed).toMatch(/^Bearer/);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    }
  });

  it("scopes separate statuses, pictures and metrics, for API keys and OIDC tokens alike", async () => {
    expect((await get("/status/none.mp4", bearer(READER))).status).toBe(404); // through: no such object
    expect((await get("/thumbnails/none.mp4?t=1", bearer(READER))).status).toBe(403);
    expect((await get("/metrics", bearer(READER))).status).toBe(403);
    expect((await get("/thumbnails/none.mp4?t=1", bearer(VIEWER))).status).toBe(404);
    expect((await get("/metrics", bearer(SCRAPER))).status).toBe(200);
    expect((await get("/status/none.mp4", bearer(SCRAPER))).status).toBe(403);
    expect((await get("/status/none.mp4", bearer(await issuer.token("status:read")))).status).toBe(404);
    expect((await get("/status/none.mp4", bearer(await issuer.token("status:read", { expiresInSec: -30 })))).status).toBe(401);
    expect((await get("/status/none.mp4", bearer(await issuer.token("status:read", { audience: "other" })))).status).toBe(401);
    expect((await get("/status/none.mp4", bearer("not-a-key"))).status).toBe(401);
  });

  it("the pages get a cookie session from /session (EventSource and <img> send no headers); a forged cookie is refused", async () => {
    expect((await get("/session")).status).toBe(401);
    const session = await get("/session", bearer(VIEWER));
    expect(session.status).toBe(204);
    const setCookie = session.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^tvidz_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    const cookie = setCookie.split(";")[0]!;
    expect((await get("/api/videos", { cookie })).status).toBe(200);
    expect((await get("/session", { cookie })).status).toBe(401); // a cookie never renews itself
    expect((await get("/api/videos", { cookie: `${cookie}x` })).status).toBe(401);
  });

  it("the expensive routes are rate-limited per client (429 with Retry-After)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await get(`/thumbnails/none.mp4?t=${i}`, bearer(BUSY))).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const limited = await get("/thumbnails/none.mp4?t=9", bearer(BUSY));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    // Another client has its own budget.
    expect((await get("/thumbnails/none.mp4?t=1", bearer(await issuer.token("media:read")))).status).toBe(404);
  });
});
