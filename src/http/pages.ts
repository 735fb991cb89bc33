import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Request, type Router } from "express";
import type { StatusService } from "../status/status-service.js";
import { keyParam, MomentQuerySchema, sendError } from "./schemas.js";

/** Frames of stored videos (ThumbnailService in production). */
export interface Thumbnails {
  /** A JPEG of the moment `atSec`, or undefined when the object is not in the bucket. */
  get(key: string, atSec: number): Promise<Buffer | undefined>;
}

export interface PageDeps {
  readonly status: Pick<StatusService, "recent">;
  readonly thumbnails: Thumbnails;
}

/** Static files of the pages (plain HTML, CSS and JS: no build step). */
const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");
const RECENT_LIMIT = 50;

/**
 * The pages people look at: `/` lists recent videos (refreshing live), `/videos/:file` shows
 * one video's progress (over SSE), its scene-cut timeline and each duplicate as two aligned
 * timelines with thumbnails. They render in the browser from the JSON API, so the HTML
 * never embeds data (nothing to escape) and the same Content-Security-Policy holds.
 */
export function pageRoutes(deps: PageDeps): Router {
  const router = express.Router();
  router.use("/assets", express.static(ASSETS, { maxAge: "1h" }));
  router.get("/", (_req, res) => res.sendFile(path.join(ASSETS, "index.html")));
  router.get("/videos/*file", (_req, res) => res.sendFile(path.join(ASSETS, "video.html")));

  router.get("/api/videos", async (_req, res) => {
    res.json(await deps.status.recent(RECENT_LIMIT));
  });

  router.get("/thumbnails/*file", async (req: Request<{ file: string[] }>, res) => {
    const key = keyParam(req, res);
    if (key === undefined) return;
    const moment = MomentQuerySchema.safeParse(req.query);
    if (!moment.success) return sendError(res, "INVALID_REQUEST", "t must be a time in seconds, from 0 to 86400");
    const jpeg = await deps.thumbnails.get(key, moment.data.t);
    if (!jpeg) return sendError(res, "NOT_FOUND");
    res.type("image/jpeg").set("cache-control", "public, max-age=3600").send(jpeg);
  });
  return router;
}
