/** A local OIDC issuer for tests: a JWKS served on loopback and tokens signed with its key. */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

export const ISSUER = "https://issuer.test";
export const AUDIENCE = "tvidz-inspector";

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

export class TestIssuer {
  private constructor(
    private readonly server: http.Server,
    private readonly privateKey: CryptoKey,
  ) {}

  static async start(): Promise<TestIssuer> {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "ES256", use: "sig" };
    const server = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new TestIssuer(server, privateKey);
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }

  /** A token for `scope`; `overrides` make it expired, for another audience or issuer. */
  token(scope: string, overrides: { audience?: string; issuer?: string; expiresInSec?: number } = {}): Promise<string> {
    return new SignJWT({ scope })
      .setProtectedHeader({ alg: "ES256", kid: "test-key" })
      .setSubject("user-1")
      .setIssuer(overrides.issuer ?? ISSUER)
      .setAudience(overrides.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (overrides.expiresInSec ?? 300))
      .sign(this.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
