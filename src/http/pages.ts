import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Request, type Response, type Router } from "express";
import type { StatusService } from "../status/status-service.js";
import type { ObjectRef } from "../domain/object-event.js";
import { MomentQuerySchema, objectParam, sendError } from "./schemas.js";

/** Frames of analysed videos (ThumbnailService in production). Both throw coded errors (NOT_FOUND, INVALID_REQUEST, THUMBNAILS_BUSY…). */
export interface Thumbnails {
  /** A JPEG of the moment `atSec`. */
  get(ref: ObjectRef, atSec: number): Promise<Buffer>;
  /** Whether that moment has a thumbnail, without making one (HEAD). */
  check(ref: ObjectRef, atSec: number): Promise<void>;
}

export interface PageDeps {
  readonly status: Pick<StatusService, "recent" | "defaultBucket" | "serves">;
  readonly thumbnails: Thumbnails;
}

/** Static files of the pages (plain HTML, CSS and JS: no build step). */
const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");
const RECENT_LIMIT = 50;
/** A key may be replaced by a new upload: browsers keep a thumbnail only briefly. */
const THUMBNAIL_CACHE = "private, max-age=300";

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
  router.get("/login", (_req, res) => res.sendFile(path.join(ASSETS, "login.html")));

  router.get("/api/videos", async (_req, res) => {
    res.json(await deps.status.recent(RECENT_LIMIT));
  });

  const thumbnailRequest = (req: Request<{ file: string[] }>, res: Response) => {
    const ref = objectParam(req, res, deps.status);
    if (ref === undefined) return undefined;
    const moment = MomentQuerySchema.safeParse({ t: req.query.t });
    if (moment.success) return { ref, atSec: moment.data.t };
    sendError(res, "INVALID_REQUEST", "t must be a time in seconds, from 0 to 86400");
    return undefined;
  };
  // HEAD is answered from the catalog alone: it never starts ffmpeg.
  router.head("/thumbnails/*file", async (req: Request<{ file: string[] }>, res) => {
    const request = thumbnailRequest(req, res);
    if (!request) return;
    await deps.thumbnails.check(request.ref, request.atSec);
    res.type("image/jpeg").set("cache-control", THUMBNAIL_CACHE).end();
  });
  router.get("/thumbnails/*file", async (req: Request<{ file: string[] }>, res) => {
    const request = thumbnailRequest(req, res);
    if (!request) return;
    const jpeg = await deps.thumbnails.get(request.ref, request.atSec);
    res.type("image/jpeg").set("cache-control", THUMBNAIL_CACHE).send(jpeg);
  });
  return router;
}
