import { z } from "zod";
import { JOB_STATUSES } from "../domain/job.js";
import type { RecentVideo } from "../store/status-queries.js";

/** The overview page's data (GET /api/videos). The schema is the contract in /openapi.json. */
export const RecentVideosSchema = z
  .object({
    videos: z.array(
      z.object({
        file: z.string(),
        status: z.enum(JOB_STATUSES),
        progress: z.number().min(0).max(1),
        durationSec: z.number().nullable(),
        duplicates: z.number().int().min(0),
        updatedAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: "RecentVideos" });
export type RecentVideos = z.infer<typeof RecentVideosSchema>;

export function buildRecentVideos(videos: readonly RecentVideo[]): RecentVideos {
  return {
    videos: videos.map((v) => ({
      file: v.key,
      status: v.status,
      progress: Math.round(v.progress * 1000) / 1000,
      durationSec: v.durationSec,
      duplicates: v.duplicates,
      updatedAt: v.updatedAt.toISOString(),
    })),
  };
}
