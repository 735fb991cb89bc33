import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Request, type Router } from "express";
import type { ThumbnailService } from "../media/thumbnails.js";
import type { VideoRepository } from "../store/video-repository.js";
import { MomentQuerySchema, ObjectKeySchema, sendError, type RecentVideos } from "./schemas.js";

export interface PageDeps {
  readonly repo: Pick<VideoRepository, "listRecent">;
  readonly thumbnails: Pick<ThumbnailService, "get">;
  readonly bucket: string;
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
    const videos = await deps.repo.listRecent(deps.bucket, RECENT_LIMIT);
    res.json({
      videos: videos.map((v) => ({ file: v.key, status: v.status, progress: Math.round(v.progress * 1000) / 1000, durationSec: v.durationSec, duplicates: v.duplicates, updatedAt: v.updatedAt.toISOString() })),
    } satisfies RecentVideos);
  });

  router.get("/thumbnails/*file", async (req: Request<{ file: string[] }>, res) => {
    const key = ObjectKeySchema.safeParse(req.params.file.join("/"));
    const moment = MomentQuerySchema.safeParse(req.query);
    if (!key.success || !moment.success) return sendError(res, 400, "INVALID_REQUEST", "a valid key and a time t ≥ 0 in seconds are needed");
    const jpeg = await deps.thumbnails.get(key.data, moment.data.t);
    if (!jpeg) return sendError(res, 404, "NOT_FOUND", "no such object in the bucket");
    res.type("image/jpeg").set("cache-control", "public, max-age=3600").send(jpeg);
  });
  return router;
}
