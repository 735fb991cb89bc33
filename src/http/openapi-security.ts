import type { Scope } from "../domain/access.js";
import { json } from "./openapi-refs.js";

type JsonObject = Record<string, unknown>;

/** Each path's scope (README "Authentication"); paths not listed are open. */
const SCOPED_PATHS: Record<string, { scope: Scope; rateLimited: boolean }> = {
  "/status/{file}": { scope: "status:read", rateLimited: false },
  "/status/stream/{file}": { scope: "status:read", rateLimited: true },
  "/duplicates/{file}": { scope: "status:read", rateLimited: false },
  "/api/videos": { scope: "status:read", rateLimited: false },
  "/thumbnails/{file}": { scope: "media:read", rateLimited: true },
  "/metrics": { scope: "metrics:read", rateLimited: false },
};

/** Adds the security schemes, each path's requirement and its 401/403/429 answers, and /session. */
export function secured(
  doc: JsonObject & { paths: Record<string, { get: JsonObject & { responses: JsonObject } }>; components: JsonObject },
): JsonObject {
  for (const [path, { scope, rateLimited }] of Object.entries(SCOPED_PATHS)) {
    const get = doc.paths[path]!.get;
    get.security = [{ bearer: [scope] }, { session: [] }];
    Object.assign(get.responses, {
      "401": json("no valid credentials (only when AUTH_MODE=required)", "Error"),
      "403": json(`the credentials do not grant ${scope}`, "Error"),
      ...(rateLimited ? { "429": json("this client's request budget is spent (Retry-After)", "Error") } : {}),
    });
  }
  doc.paths["/session"] = {
    get: {
      summary: "Trades an Authorization header (API key or bearer token) for a session cookie the pages can use",
      security: [{ bearer: [] }],
      responses: {
        "204": { description: "the cookie is set (tvidz_session, HttpOnly, SameSite=Strict)" },
        "401": json("no valid credentials", "Error"),
      },
    },
  };
  doc.components.securitySchemes = {
    bearer: {
      type: "http",
      scheme: "bearer",
      description: "an API key (API_KEYS) or an OIDC/JWT access token whose scope claim names the scopes",
    },
    session: { type: "apiKey", in: "cookie", name: "tvidz_session", description: "from GET /session" },
  };
  return doc;
}
