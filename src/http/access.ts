import type { NextFunction, Request, RequestHandler, Response } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import type { Principal, Scope } from "../domain/access.js";
import { SESSION_COOKIE, type Authenticator } from "./authenticator.js";
import { sendError } from "./schemas.js";

export interface AccessOptions {
  /** Undefined: AUTH_MODE=none (a local stack), every route is open. */
  readonly authenticator: Authenticator | undefined;
  readonly rateLimitPerMinute: number;
  readonly sessionTtlSec: number;
}

export interface AccessControl {
  /** Lets a request through when its caller holds `scope` (401 without credentials, 403 without the scope). */
  require(scope: Scope): RequestHandler;
  /** Per-client request budget on an expensive route (429 with Retry-After past it). */
  readonly rateLimit: RequestHandler;
  /** GET /session: trades an Authorization header for a signed cookie the pages' EventSource and <img> can send. */
  readonly session: RequestHandler;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

const principalOf = (res: Response): Principal | undefined => res.locals.principal as Principal | undefined;

export function accessControl(options: AccessOptions): AccessControl {
  const auth = options.authenticator;
  const authenticate = async (req: Request, res: Response): Promise<Principal | undefined> => {
    if (!auth) return undefined;
    const principal = principalOf(res) ?? (await auth.authenticate(req.headers.authorization, cookie(req, SESSION_COOKIE)));
    res.locals.principal = principal;
    return principal;
  };
  const unauthenticated = (res: Response) => {
    res.set("www-authenticate", 'Bearer realm="tvidz"');
    sendError(res, "UNAUTHENTICATED");
  };
  return {
    require: (scope) => (req: Request, res: Response, next: NextFunction) => {
      if (!auth) return next();
      authenticate(req, res).then((principal) => {
        if (!principal) return unauthenticated(res);
        if (!principal.scopes.has(scope)) return sendError(res, "FORBIDDEN", `these credentials do not grant ${scope}`);
        next();
      }, next);
    },
    rateLimit: rateLimit({
      windowMs: 60_000,
      limit: options.rateLimitPerMinute,
      standardHeaders: "draft-7",
      legacyHeaders: false,
      keyGenerator: (req, res) => principalOf(res)?.id ?? ipKeyGenerator(req.ip ?? "unknown"),
      handler: (_req, res, _next, limit) => {
        res.set("retry-after", String(Math.ceil(limit.windowMs / 1000)));
        sendError(res, "RATE_LIMITED");
      },
    }),
    session: (req: Request, res: Response, next: NextFunction) => {
      if (!auth) return void res.status(204).end();
      // Only a header creates a session: a cookie never renews itself.
      auth.authenticate(req.headers.authorization, undefined).then((principal) => {
        if (!principal) return unauthenticated(res);
        const secure = req.secure ? "; Secure" : "";
        res.set(
          "set-cookie",
          `${SESSION_COOKIE}=${auth.issueSession(principal)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${options.sessionTtlSec}${secure}`,
        );
        res.set("cache-control", "no-store").status(204).end();
      }, next);
    },
  };
}
