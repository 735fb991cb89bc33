import type { Response } from "express";
import { z } from "zod";

/** The HTTP API's own schemas: they validate input and describe output (/openapi.json). */

/** S3 keys are at most 1024 bytes of UTF-8; NUL cannot be stored in PostgreSQL text. */
export const ObjectKeySchema = z
  .string()
  .min(1, "the key is empty")
  .refine((key) => Buffer.byteLength(key, "utf8") <= 1024, "the key is longer than 1024 bytes")
  .refine((key) => !key.includes("\u0000"), "the key contains a NUL character");

export const ReadinessSchema = z
  .object({
    ready: z.boolean(),
    checks: z.object({ database: z.boolean(), polling: z.boolean(), breaker: z.enum(["closed", "open", "half-open"]) }),
  })
  .meta({ id: "Readiness" });
export type Readiness = z.infer<typeof ReadinessSchema>;

export const HealthSchema = z.object({ ok: z.literal(true) }).meta({ id: "Health" });

export const ErrorBodySchema = z
  .object({ error: z.object({ code: z.string().describe("stable error code"), message: z.string().describe("for people; never a stack trace") }) })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export function sendError(res: Response, httpStatus: number, code: string, message: string): void {
  res.status(httpStatus).json({ error: { code, message } } satisfies ErrorBody);
}

export const RecentVideosSchema = z
  .object({
    videos: z.array(
      z.object({
        file: z.string(),
        status: z.enum(["pending", "analyzing", "done", "failed"]),
        progress: z.number().min(0).max(1),
        durationSec: z.number().nullable(),
        duplicates: z.number().int().min(0),
        updatedAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: "RecentVideos" });
export type RecentVideos = z.infer<typeof RecentVideosSchema>;

/** A moment of a video, in seconds (thumbnails). */
export const MomentQuerySchema = z.object({ t: z.coerce.number().min(0).max(24 * 3600).default(0) });
