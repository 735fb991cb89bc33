import type { Request, Response } from "express";
import { z } from "zod";
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from "../domain/errors.js";
import { BUCKET_NAME, type ObjectRef } from "../domain/object-event.js";
import { BREAKER_STATES } from "../domain/queue.js";
import { decodeCursor } from "../status/duplicate-cursor.js";

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
    checks: z.object({ database: z.boolean(), storage: z.boolean(), polling: z.boolean(), breaker: z.enum(BREAKER_STATES) }),
  })
  .meta({ id: "Readiness" });
export type Readiness = z.infer<typeof ReadinessSchema>;

export const HealthSchema = z.object({ ok: z.literal(true) }).meta({ id: "Health" });

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).describe("stable error code (src/domain/errors.ts)"),
      message: z.string().describe("for people; never a stack trace"),
    }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Answers with a catalogue error: its HTTP status, its code, and a message for people. */
export function sendError(res: Response, code: ErrorCode, message: string = ERROR_CATALOGUE[code].message): void {
  res.status(ERROR_CATALOGUE[code].httpStatus).json({ error: { code, message } } satisfies ErrorBody);
}

/**
 * The object key of a `*file` route (the rest of the path, so keys with "/" work encoded or
 * not), or undefined after answering 400 INVALID_KEY.
 */
export function keyParam(req: Request<{ file: string[] }>, res: Response): string | undefined {
  const key = ObjectKeySchema.safeParse(req.params.file.join("/"));
  if (key.success) return key.data;
  sendError(res, "INVALID_KEY", key.error.issues[0]?.message ?? "invalid key");
  return undefined;
}

/** `?bucket=`: optional, an S3 bucket name. */
export const BucketQuerySchema = z.object({ bucket: z.string().regex(BUCKET_NAME, "bucket must be an S3 bucket name").optional() });

/**
 * The object a `*file` route names: its key, in the bucket `?bucket=` names (the default
 * bucket when none). Undefined after answering 400, or 404 for a bucket the service does not serve.
 */
export function objectParam(
  req: Request<{ file: string[] }>,
  res: Response,
  buckets: { readonly defaultBucket: string; serves(bucket: string): boolean },
): ObjectRef | undefined {
  const key = keyParam(req, res);
  if (key === undefined) return undefined;
  const query = BucketQuerySchema.safeParse(req.query);
  if (!query.success) {
    sendError(res, "INVALID_REQUEST", query.error.issues[0]?.message ?? "invalid bucket");
    return undefined;
  }
  const bucket = query.data.bucket ?? buckets.defaultBucket;
  if (buckets.serves(bucket)) return { bucket, key };
  sendError(res, "NOT_FOUND", `this service does not serve the bucket ${bucket}`);
  return undefined;
}

/** A page of duplicates: where it starts (the position a cursor from an earlier answer names) and how long it is. */
export const DuplicatesQuerySchema = z.object({
  after: z
    .string()
    .transform((cursor, ctx) => decodeCursor(cursor) ?? (ctx.addIssue({ code: "custom", message: "not a cursor" }), z.NEVER))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** A moment of a video, in seconds (thumbnails). */
export const MomentQuerySchema = z.object({
  t: z.coerce
    .number()
    .min(0)
    .max(24 * 3600)
    .default(0),
});
