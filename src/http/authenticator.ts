import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { parseScopes, type Principal, type Scope } from "../domain/access.js";

export interface ApiKey {
  readonly name: string;
  readonly scopes: readonly string[];
  /** SHA-256 of the key, hex: the key itself is never configured or stored. */
  readonly sha256: string;
}

export interface AuthOptions {
  readonly apiKeys: readonly ApiKey[];
  readonly oidc?: { readonly jwksUrl: string; readonly issuer: string; readonly audience: string };
  /** SHA-256 (hex) of a token that grants metrics:read only. */
  readonly metricsTokenSha256?: string;
  readonly sessionSecret: Buffer;
  readonly sessionTtlSec: number;
  readonly now?: () => number;
}

/** Algorithms a token may be signed with; `none` and HMAC (a shared secret) are refused. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];
export const SESSION_COOKIE = "tvidz_session";

const sha256 = (text: string) => createHash("sha256").update(text).digest();
const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/**
 * Turns credentials into a Principal: an API key (compared by its SHA-256, in constant time,
 * against every configured key), an OIDC/JWT bearer token (signature against the JWKS, issuer,
 * audience, expiry and algorithm checked by jose), the metrics token, or a session cookie
 * that /session signed for a browser (EventSource and <img> cannot send headers).
 */
export class Authenticator {
  private readonly keys: { name: string; scopes: Set<Scope>; hash: Buffer }[];
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AuthOptions) {
    this.keys = options.apiKeys.map((k) => ({ name: k.name, scopes: parseScopes(k.scopes), hash: Buffer.from(k.sha256, "hex") }));
    this.jwks = options.oidc
      ? createRemoteJWKSet(new URL(options.oidc.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
      : undefined;
    this.now = options.now ?? Date.now;
  }

  /** The caller an Authorization header or a session cookie names, or undefined. */
  async authenticate(authorization: string | undefined, sessionCookie: string | undefined): Promise<Principal | undefined> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (bearer) return (await this.token(bearer)) ?? undefined;
    return sessionCookie ? this.session(sessionCookie) : undefined;
  }

  /** A signed cookie value for a browser session of this principal. */
  issueSession(principal: Principal): string {
    const payload = Buffer.from(
      JSON.stringify({ id: principal.id, scopes: [...principal.scopes], exp: this.now() + this.options.sessionTtlSec * 1000 }),
    ).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  private async token(bearer: string): Promise<Principal | undefined> {
    const hash = sha256(bearer);
    const key = this.keys.find((k) => sameBytes(k.hash, hash));
    if (key) return { id: `key:${key.name}`, scopes: key.scopes };
    if (this.options.metricsTokenSha256 && sameBytes(Buffer.from(this.options.metricsTokenSha256, "hex"), hash))
      return { id: "metrics", scopes: new Set(["metrics:read"]) };
    if (!this.jwks || !this.options.oidc || bearer.split(".").length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(bearer, this.jwks, {
        issuer: this.options.oidc.issuer,
        audience: this.options.oidc.audience,
        algorithms: ALGORITHMS,
        currentDate: new Date(this.now()),
      });
      const scopes = parseScopes(
        typeof payload.scope === "string" ? payload.scope : Array.isArray(payload.scp) ? (payload.scp as string[]) : undefined,
      );
      return { id: `sub:${payload.sub ?? "unknown"}`, scopes };
    } catch {
      return undefined; // a bad signature, issuer, audience or expiry: not authenticated
    }
  }

  private session(cookie: string): Principal | undefined {
    const [payload, signature] = cookie.split(".");
    if (!payload || !signature || !sameBytes(Buffer.from(this.sign(payload)), Buffer.from(signature))) return undefined;
    try {
      const session = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { id: string; scopes: string[]; exp: number };
      return session.exp > this.now() ? { id: session.id, scopes: parseScopes(session.scopes) } : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.options.sessionSecret).update(payload).digest("base64url");
  }
}
