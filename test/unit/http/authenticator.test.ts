import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { Authenticator } from "../../../src/http/authenticator.js";
import { AUDIENCE, ISSUER, sha256Hex, TestIssuer } from "../../helpers/oidc-issuer.js";

let issuer: TestIssuer;
let auth: Authenticator;
let now = Date.now();
const scopes = async (p: Promise<{ scopes: ReadonlySet<string> } | undefined>) => {
  const principal = await p;
  return principal ? [...principal.scopes].sort() : undefined;
};

beforeAll(async () => {
  issuer = await TestIssuer.start();
  auth = new Authenticator({
    apiKeys: [
      { name: "reader", scopes: ["status:read"], sha256: sha256Hex("key-reader-0123456789") },
      { name: "next-reader", scopes: ["status:read", "media:read"], sha256: sha256Hex("key-rotated-9876543210") },
    ],
    oidc: { jwksUrl: issuer.jwksUrl, issuer: ISSUER, audience: AUDIENCE },
    metricsTokenSha256: sha256Hex("scraper-token"),
    sessionSecret: Buffer.from("s".repeat(32)),
    sessionTtlSec: 60,
    now: () => now,
  });
});
afterAll(() => issuer.stop());

describe("Authenticator", () => {
  it("API keys are matched by their SHA-256; several at once (rotation); an unknown key is nobody", async () => {
    expect(await scopes(auth.authenticate("Bearer key-reader-0123456789", undefined))).toEqual(["status:read"]);
    expect(await scopes(auth.authenticate("Bearer key-rotated-9876543210", undefined))).toEqual(["media:read", "status:read"]);
    expect(await auth.authenticate("Bearer key-reader-0123456788", undefined)).toBeUndefined();
    expect(await auth.authenticate(undefined, undefined)).toBeUndefined();
    expect(await scopes(auth.authenticate("Bearer scraper-token", undefined))).toEqual(["metrics:read"]);
  });

  it("JWTs are verified against the JWKS, issuer, audience, expiry and algorithm", async () => {
    expect(await scopes(auth.authenticate(`Bearer ${await issuer.token("status:read media:read")}`, undefined))).toEqual([
      "media:read",
      "status:read",
    ]);
    expect(await auth.authenticate(`Bearer ${await issuer.token("status:read", { audience: "another-api" })}`, undefined)).toBeUndefined();
    expect(
      await auth.authenticate(`Bearer ${await issuer.token("status:read", { issuer: "https://evil.test" })}`, undefined),
    ).toBeUndefined();
    expect(await auth.authenticate(`Bearer ${await issuer.token("status:read", { expiresInSec: -60 })}`, undefined)).toBeUndefined();
    const hmac = await new SignJWT({ scope: "status:read" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("guessed"));
    expect(await auth.authenticate(`Bearer ${hmac}`, undefined)).toBeUndefined();
  });

  it("sessions carry the principal's scopes, expire, and refuse tampering", async () => {
    const principal = (await auth.authenticate("Bearer key-rotated-9876543210", undefined))!;
    const cookie = auth.issueSession(principal);
    expect(await scopes(auth.authenticate(undefined, cookie))).toEqual(["media:read", "status:read"]);
    const [payload, signature] = cookie.split(".");
    const forged = Buffer.from(JSON.stringify({ id: "key:x", scopes: ["metrics:read"], exp: now + 60_000 })).toString("base64url");
    expect(await auth.authenticate(undefined, `${forged}.${signature}`)).toBeUndefined();
    expect(await auth.authenticate(undefined, `${payload}.x${signature}`)).toBeUndefined();
    now += 61_000;
    expect(await auth.authenticate(undefined, cookie)).toBeUndefined();
  });
});
