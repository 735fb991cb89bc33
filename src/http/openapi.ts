import { z } from "zod";
import { CURSOR_PATTERN } from "../status/duplicate-cursor.js";
import { DuplicatesPageSchema, StatusSnapshotSchema } from "../status/snapshot.js";
import { RecentVideosSchema } from "../status/recent-videos.js";
import { BUCKET_NAME } from "../domain/object-event.js";
import { ResultEventSchema } from "../results/result-event.js";
import { SIGNATURE_HEADERS } from "../results/webhook-signature.js";
import { json, ref } from "./openapi-refs.js";
import { secured } from "./openapi-security.js";
import { ErrorBodySchema, HealthSchema, ObjectKeySchema, ReadinessSchema } from "./schemas.js";

type JsonObject = Record<string, unknown>;

/**
 * JSON Schemas for the components, from the zod schemas that validate and type the API (one
 * definition, never maintained twice). Nested schemas with an id become components too.
 */
function componentSchemas(schemas: readonly z.ZodType[]): Record<string, JsonObject> {
  const components: Record<string, JsonObject> = {};
  for (const schema of schemas) {
    const {
      $schema: _dialect,
      $defs = {},
      ...root
    } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" }) as JsonObject & { $defs?: Record<string, JsonObject> };
    Object.assign(components, $defs);
    const id = z.globalRegistry.get(schema)?.id;
    if (id && !("$ref" in root)) components[id] = root;
  }
  // zod writes local references; in an OpenAPI document they point into components.
  return JSON.parse(JSON.stringify(components).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, JsonObject>;
}

/** The OpenAPI 3.1 document served at GET /openapi.json. */
export function buildOpenApiDocument(): JsonObject {
  return secured(document());
}

function document() {
  const keySchema = z.toJSONSchema(ObjectKeySchema, { target: "draft-2020-12" }) as JsonObject;
  delete keySchema.$schema;
  const fileParameter = (description: string) => ({
    name: "file",
    in: "path",
    required: true,
    description,
    schema: { ...keySchema, maxLength: 1024 },
  });
  const bucketParameter = {
    name: "bucket",
    in: "query",
    required: false,
    description: "the object's bucket, one the service serves (BUCKET or EXTRA_BUCKETS); BUCKET when absent",
    schema: { type: "string", pattern: BUCKET_NAME.source },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "TVIDZ Inspector",
      version: "0.1.0",
      description: "Duplicate detection for videos uploaded to an S3 bucket: analysis status, scene cuts and duplicates of each object.",
    },
    paths: {
      "/status/{file}": {
        get: {
          summary: "The current snapshot of one object",
          parameters: [fileParameter("the object key, URL-encoded (keys with / also work unencoded)"), bucketParameter],
          responses: {
            "200": json("the snapshot (status pending: in the bucket, not analysed yet)", "StatusSnapshot"),
            "400": json("the key is empty, longer than 1024 bytes or malformed, or the bucket is not a bucket name", "Error"),
            "404": json("no such object (a deleted object is forgotten), or a bucket this service does not serve", "Error"),
            "413": json("a request body was sent", "Error"),
            "500": json("the service could not answer", "Error"),
            "503": json("the database or the object store is unreachable; try again", "Error"),
          },
        },
      },
      "/status/stream/{file}": {
        get: {
          summary: "Live snapshots of one object (Server-Sent Events)",
          description:
            '`event: snapshot` whose data is a StatusSnapshot, at once and each time it changes; a `: heartbeat` comment every 15 s; `event: end` whose data is `{"reason": "terminal" | "shutdown" | "lifetime"}` after a terminal state, on shutdown or after SSE_MAX_LIFETIME_MS (reconnect), then the stream closes.',
          parameters: [fileParameter("the object key, URL-encoded"), bucketParameter],
          responses: {
            "200": {
              description: "an event stream (see the description for its events)",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            "400": json("the key is invalid", "Error"),
            "404": json("no such object", "Error"),
            "503": json("too many live streams on this replica; poll /status/{file}", "Error"),
          },
        },
      },
      "/duplicates/{file}": {
        get: {
          summary: "Every video that shares footage with one object, a page at a time (strongest first)",
          description:
            "The snapshot carries the strongest matches only; this lists them all. Follow `next` until it is null. Pages are keyset-paged: each costs the same however deep, and matches found meanwhile do not shift the pages after them.",
          parameters: [
            fileParameter("the object key, URL-encoded (keys with / also work unencoded)"),
            bucketParameter,
            {
              name: "cursor",
              in: "query",
              required: false,
              description: "where the page starts: a snapshot's `duplicatesNext` or a page's `next`; absent: the first page",
              schema: { type: "string", pattern: CURSOR_PATTERN.source },
            },
            {
              name: "limit",
              in: "query",
              required: false,
              description: "entries per page",
              schema: { type: "integer", minimum: 1, maximum: 100, default: 50 },
            },
          ],
          responses: {
            "200": json("a page of duplicates (empty for an object not analysed yet)", "DuplicatesPage"),
            "400": json("invalid key, a cursor this service did not make, or a limit out of range", "Error"),
            "404": json("no such object, or a bucket this service does not serve", "Error"),
            "503": json("the database is unreachable; try again", "Error"),
          },
        },
      },
      "/api/videos": {
        get: {
          summary: "The 50 most recently updated videos (the overview page's data)",
          responses: { "200": json("recent videos", "RecentVideos") },
        },
      },
      "/thumbnails/{file}": {
        get: {
          summary:
            "A 320 px JPEG of one moment of an analysed video (extracted with ffmpeg under the media policy, cached by version; HEAD answers without extracting)",
          parameters: [
            fileParameter("the object key, URL-encoded"),
            bucketParameter,
            {
              name: "t",
              in: "query",
              required: false,
              description: "seconds from the start, at most the video's duration",
              schema: { type: "number", minimum: 0, maximum: 86400, default: 0 },
            },
          ],
          responses: {
            "200": { description: "the frame", content: { "image/jpeg": { schema: { type: "string", contentMediaType: "image/jpeg" } } } },
            "400": json("invalid key, or a time that is not a number or past the end", "Error"),
            "404": json("no analysed video with this key", "Error"),
            "503": json("every thumbnail worker is busy (Retry-After says when to come back)", "Error"),
          },
        },
      },
      "/": {
        get: {
          summary: "Page: recent videos, live",
          responses: { "200": { description: "HTML", content: { "text/html": { schema: { type: "string" } } } } },
        },
      },
      "/videos/{file}": {
        get: {
          summary: "Page: one video's progress, scene-cut timeline and duplicates",
          parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "HTML", content: { "text/html": { schema: { type: "string" } } } } },
        },
      },
      "/healthz": { get: { summary: "Liveness", responses: { "200": json("the process is up", "Health") } } },
      "/readyz": {
        get: {
          summary: "Readiness: database reachable, consumer polling, breaker not open",
          responses: { "200": json("ready", "Readiness"), "503": json("not ready, with the failing checks", "Readiness") },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics",
          responses: { "200": { description: "text exposition format", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    webhooks: { resultEvent: resultEventWebhook() },
    components: {
      schemas: componentSchemas([
        StatusSnapshotSchema,
        DuplicatesPageSchema,
        ErrorBodySchema,
        ReadinessSchema,
        HealthSchema,
        RecentVideosSchema,
        ResultEventSchema,
      ]),
    },
  };
}

/** What the service POSTs to each WEBHOOK_URLS entry (and sends as the message body to RESULTS_QUEUE_URL / RESULTS_TOPIC_ARN). */
function resultEventWebhook() {
  const header = (name: string, description: string) => ({ name, in: "header", required: true, description, schema: { type: "string" } });
  return {
    post: {
      summary: "A result event: an analysis ended, or a later upload was found to duplicate a finished video",
      description:
        'Delivered at least once (retried with exponential backoff and jitter until a 2xx answer; parked after RESULTS_MAX_ATTEMPTS): deduplicate by `id`. Verify the signature before trusting the body (README "Result events").',
      parameters: [
        header(SIGNATURE_HEADERS.eventId, "the event's id (the same as the body's `id`)"),
        header(SIGNATURE_HEADERS.timestamp, "Unix seconds when this attempt was signed; reject old ones (replays)"),
        header(SIGNATURE_HEADERS.signature, 'v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> per secret, comma-separated'),
      ],
      requestBody: { required: true, content: { "application/json": { schema: ref("ResultEvent") } } },
      responses: { "2XX": { description: "accepted; any other answer, or none within WEBHOOK_TIMEOUT_MS, is retried" } },
    },
  };
}
