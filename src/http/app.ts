import express, { type NextFunction, type Request, type Response } from "express";
import cors from "cors";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import { type z } from "zod";
import type { StatusService } from "../status/status-service.js";
import type { AccessControl } from "./access.js";
import { buildOpenApiDocument } from "./openapi.js";
import { describeError, InspectorError } from "../domain/errors.js";
import { DuplicatesQuerySchema, objectParam, sendError, type HealthSchema, type Readiness } from "./schemas.js";
import type { SnapshotStreams } from "./snapshot-stream.js";

export interface AppDeps {
  readonly access: AccessControl;
  readonly status: StatusService;
  /** Origins allowed to call the API from a browser; empty = no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  readonly readiness: () => Promise<Readiness>;
  /** The Prometheus exposition (GET /metrics). */
  readonly metrics: { readonly contentType: string; render(): Promise<string> };
  readonly streams: SnapshotStreams;
  /** The pages and their JSON/thumbnail routes (pageRoutes). */
  readonly pages: express.Router;
  readonly log: Logger;
}

/** No endpoint takes a body: anything larger than this is refused before it is read. */
const MAX_BODY_BYTES = 1024;

/** The express app, without listening: tests drive it directly. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(
    helmet({
      // Reached over plain HTTP inside a private network as well as behind a TLS-terminating proxy:
      // upgrading requests would send a LAN browser to an https port nothing listens on, and HSTS
      // (for the whole domain) is the proxy's decision, not this service's. Browsers ignore
      // Cross-Origin-Opener-Policy over HTTP, with a console error on every page.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      strictTransportSecurity: false,
      crossOriginOpenerPolicy: false,
    }),
  );
  if (deps.corsOrigins.length > 0) app.use(cors({ origin: [...deps.corsOrigins], methods: ["GET"] }));
  app.use(
    pinoHttp({
      logger: deps.log,
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" || req.url === "/metrics" },
      // Clients poll /status many times a second: an answered request is a debug line, a
      // failed one stays visible. Requests are logged by method, URL and status, not headers.
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 && res.statusCode !== 404 ? "warn" : "debug",
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  app.use((req, res, next) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES || req.headers["transfer-encoding"] !== undefined) {
      res.set("connection", "close");
      sendError(res, "PAYLOAD_TOO_LARGE", `requests carry no body here (at most ${MAX_BODY_BYTES} bytes)`);
      return;
    }
    next();
  });

  // Who may see what: statuses, pictures and metrics are separate scopes; health, readiness,
  // the contract and the pages' static shell stay open.
  const { access } = deps;
  app.use(["/status", "/duplicates", "/api/videos"], access.require("status:read"));
  app.use("/status/stream", access.rateLimit);
  app.use("/thumbnails", access.require("media:read"), access.rateLimit);
  app.use("/metrics", access.require("metrics:read"));
  app.get("/session", access.session);

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true } satisfies z.infer<typeof HealthSchema>);
  });

  const openApi = buildOpenApiDocument();
  app.get("/openapi.json", (_req, res) => {
    res.json(openApi);
  });

  app.get("/readyz", async (_req, res) => {
    const readiness = await deps.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });

  app.get("/metrics", async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.render());
  });

  // Before /status/*file: a key that itself starts with "stream/" is asked for as stream%2F…
  app.get("/status/stream/*file", deps.streams.handle);

  app.get(["/status", "/status/"], (_req, res) => sendError(res, "INVALID_KEY", "the key is empty"));

  // `*file` takes the rest of the path, so keys with "/" work encoded (%2F) or not.
  app.get("/status/*file", async (req: Request<{ file: string[] }>, res) => {
    const ref = objectParam(req, res, deps.status);
    if (ref === undefined) return;
    const snapshot = await deps.status.get(ref.key, ref.bucket);
    if (snapshot) res.json(snapshot);
    else sendError(res, "NOT_FOUND");
  });

  app.get("/duplicates/*file", async (req: Request<{ file: string[] }>, res) => {
    const ref = objectParam(req, res, deps.status);
    if (ref === undefined) return;
    const query = DuplicatesQuerySchema.safeParse({ after: req.query.cursor, limit: req.query.limit });
    if (!query.success) {
      sendError(res, "INVALID_REQUEST", "cursor must come from an earlier answer (duplicatesNext or next); limit from 1 to 100");
      return;
    }
    const page = await deps.status.duplicates(ref, query.data.after, query.data.limit);
    if (page) res.json(page);
    else sendError(res, "NOT_FOUND");
  });

  app.use(deps.pages);

  // Every route is read-only: another method on a known path is 405, not 404.
  app.all(
    [
      "/status/*file",
      "/duplicates/*file",
      "/thumbnails/*file",
      "/videos/*file",
      "/api/videos",
      "/metrics",
      "/healthz",
      "/readyz",
      "/openapi.json",
      "/",
    ],
    (_req, res) => {
      res.set("allow", "GET, HEAD");
      sendError(res, "METHOD_NOT_ALLOWED");
    },
  );
  app.use((_req, res) => sendError(res, "ROUTE_NOT_FOUND"));

  // One error handler: a catalogue code and its status, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof InspectorError) {
      if (err.retryAfterMs !== undefined) res.set("retry-after", String(Math.ceil(err.retryAfterMs / 1000)));
      if (err.httpStatus >= 500)
        req.log.warn({ event: "http.dependency_failed", code: err.code, err: describeError(err) }, "request failed");
      return sendError(res, err.code);
    }
    // Express's own client errors (a malformed percent-encoding) carry a 4xx status.
    const status = typeof err === "object" && err !== null && "status" in err && typeof err.status === "number" ? err.status : 500;
    if (status >= 400 && status < 500)
      return sendError(res, "INVALID_REQUEST", "the request could not be decoded (malformed percent-encoding?)");
    req.log.error({ event: "http.internal_error", err }, "request failed");
    sendError(res, "INTERNAL_ERROR", "the service could not answer; try again");
  });
  return app;
}
