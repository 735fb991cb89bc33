import os from "node:os";
import { z } from "zod";
import type { AwsOptions } from "./aws/clients.js";
import { BUCKET_NAME } from "./domain/object-event.js";
import type { ResultDestination } from "./domain/result-event.js";

/** A comma-separated list (empty by default). */
const list = () =>
  z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    );

function isWebhookUrl(value: string): boolean {
  const url = new URL(value);
  return url.protocol === "https:" || (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname));
}

/** Reads a positive integer from the environment, with a default. */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Loopback unless told otherwise: the container image and compose file set 0.0.0.0. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** `required` (the default) unless a local stack turns it off; see README "Authentication". */
  AUTH_MODE: z.enum(["required", "none"]).default("required"),
  /**
   * API keys, comma-separated, each `name:sha256-of-the-key-in-hex:scope+scope`. Only hashes are
   * configured; several keys at once let a key be rotated without downtime.
   */
  API_KEYS: z
    .string()
    .default("")
    .transform((v, ctx) => parseApiKeys(v, ctx)),
  /** OIDC/JWT bearer tokens: verified against this JWKS, issuer and audience (RS256/ES256/EdDSA). */
  OIDC_JWKS_URL: z.url().optional(),
  OIDC_ISSUER: z.string().min(1).optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  /** SHA-256 (hex) of a token that may read /metrics only (a scraper's). */
  METRICS_TOKEN_SHA256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be 64 hex digits")
    .optional(),
  /** Signs the pages' session cookies; replicas behind one address need the same. Default: random per process. */
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SESSION_TTL_SEC: positiveInt(3600),
  /** Requests a client may make a minute on the expensive routes (thumbnails, live streams). */
  RATE_LIMIT_PER_MINUTE: positiveInt(120),
  /** Comma-separated origins allowed to call the API from browsers; empty = CORS closed. */
  CORS_ORIGINS: list(),
  /** GET /status answers from memory for this long (one database read per key per period). */
  STATUS_CACHE_TTL_MS: positiveInt(500),
  /** Live streams (GET /status/stream/:file) one replica serves at once, and their pacing. */
  SSE_MAX_STREAMS: positiveInt(200),
  SSE_POLL_MS: positiveInt(500),
  SSE_HEARTBEAT_MS: positiveInt(15_000),
  SSE_MAX_LIFETIME_MS: positiveInt(30 * 60_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  /** An emulator's URL, or "aws" for the real AWS endpoints. */
  AWS_ENDPOINT: z
    .union([z.literal("aws"), z.url()])
    .default("http://127.0.0.1:4566")
    .transform((v) => (v === "aws" ? undefined : v)),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  /** S3/SQS connection timeout, and how long a request may stay silent (a stalled download) before it fails. */
  AWS_CONNECT_TIMEOUT_MS: positiveInt(3_000),
  AWS_IDLE_TIMEOUT_MS: positiveInt(30_000),
  /** Real AWS needs virtual-hosted addressing; emulators want path-style. */
  S3_FORCE_PATH_STYLE: z.stringbool().default(true),
  /** The default bucket: status lookups that name none, the overview page, readiness. */
  BUCKET: z.string().regex(BUCKET_NAME, "must be an S3 bucket name").default("videos"),
  /** Further buckets served (comma-separated): their events are analysed into the same catalog. */
  EXTRA_BUCKETS: list().pipe(z.array(z.string().regex(BUCKET_NAME, "must be S3 bucket names"))),
  QUEUE_NAME: z.string().min(1).max(80).default("video-events"),
  /** Records one queue message may carry (S3 sends one); a message with more is refused whole. */
  MAX_RECORDS_PER_MESSAGE: positiveInt(100),

  DATABASE_URL: z
    .url()
    .refine((u) => u.startsWith("postgres://") || u.startsWith("postgresql://"), "must be a postgres:// URL")
    .default("postgresql://postgres@127.0.0.1:5432/tvidz"),
  DB_POOL_MAX: positiveInt(10),
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt(15_000),

  /** Result events (README "Result events"): to an SQS queue, an SNS topic and/or webhooks. */
  RESULTS_QUEUE_URL: z.url().optional(),
  RESULTS_TOPIC_ARN: z
    .string()
    .regex(/^arn:[\w-]+:sns:[\w-]*:\d*:[\w.-]+$/, "must be an SNS topic ARN")
    .optional(),
  /** Comma-separated; HTTPS, or HTTP to this machine (a local receiver). */
  WEBHOOK_URLS: list().pipe(z.array(z.url().refine(isWebhookUrl, "must be https:// (http:// only to localhost)"))),
  /** Comma-separated HMAC secrets; each signs every request (two during a rotation). */
  WEBHOOK_SECRETS: list().pipe(z.array(z.string().min(32, "must be at least 32 characters"))),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** Attempts per event and destination before it is parked, and the backoff between them. */
  RESULTS_MAX_ATTEMPTS: positiveInt(12),
  RESULTS_RETRY_BASE_MS: positiveInt(2_000),
  RESULTS_RETRY_MAX_MS: positiveInt(15 * 60_000),
  RESULTS_POLL_MS: positiveInt(1_000),

  FFMPEG_PATH: z.string().min(1).default("ffmpeg"),
  FFPROBE_PATH: z.string().min(1).default("ffprobe"),

  CONCURRENCY: positiveInt(Math.max(1, os.cpus().length)),
  /** Must match the queue's VisibilityTimeout; the heartbeat extends it every third of it. */
  VISIBILITY_TIMEOUT_SEC: z.coerce.number().int().min(10).max(43_200).default(120),
  WAIT_TIME_SEC: z.coerce.number().int().min(0).max(20).default(20),
  BREAKER_FAILURE_THRESHOLD: positiveInt(5),
  BREAKER_BASE_OPEN_MS: positiveInt(1_000),
  BREAKER_MAX_OPEN_MS: positiveInt(60_000),

  MAX_OBJECT_BYTES: positiveInt(5 * 1024 ** 3),
  /** Caps on what a video's header may declare (8K UHD, 6 hours by default). */
  MAX_VIDEO_PIXELS: positiveInt(7680 * 4320),
  MAX_DURATION_SEC: positiveInt(6 * 3600),
  PROBE_TIMEOUT_MS: positiveInt(30_000),
  /** Scene detection may take BASE + PER_SECOND × duration, but never more than MAX. */
  ANALYSIS_TIMEOUT_BASE_MS: positiveInt(30_000),
  ANALYSIS_TIMEOUT_PER_SEC_MS: positiveInt(2_000),
  ANALYSIS_TIMEOUT_MAX_MS: positiveInt(30 * 60_000),
  KILL_GRACE_MS: positiveInt(3_000),
  /** Address-space ceiling of each ffmpeg/ffprobe (prlimit --as), in MiB; 0 turns it off. */
  MEDIA_MEMORY_LIMIT_MB: z.coerce.number().int().min(0).default(2048),
  /** Thumbnails extracted at once, and requests that may wait for a worker (past that: 503). */
  THUMBNAIL_CONCURRENCY: positiveInt(2),
  THUMBNAIL_QUEUE: z.coerce.number().int().min(0).default(8),
  /** Niceness of ffmpeg/ffprobe (0–19): analysis yields the CPU to the service's event loop. */
  ANALYSIS_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  /** ffmpeg decoder threads per analysis; 0 lets ffmpeg choose (one per core, plus one). */
  ANALYSIS_DECODER_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /**
   * ffmpeg processes a long video's decode is split into (parallel segments of ≥ 30 s): one
   * H.264 decode keeps little more than one core busy. 1 turns splitting off.
   */
  ANALYSIS_DECODE_SEGMENTS: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * A landscape video's centre strip is stored and indexed, so a 9:16 centre crop of it is
   * found (it about doubles the index's rows and bytes); false: not stored, crops not found.
   */
  INDEX_CENTRE_STRIPS: z.stringbool().default(true),
  SHUTDOWN_GRACE_MS: positiveInt(25_000),
  TMP_DIR: z.string().min(1).default(os.tmpdir()),
});

export type Config = z.infer<typeof ConfigSchema>;

export interface ApiKeyEntry {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly sha256: string;
}

function parseApiKeys(value: string, ctx: z.RefinementCtx): ApiKeyEntry[] {
  const entries = value
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.flatMap((entry) => {
    const [name, sha256, ...scopeParts] = entry.split(":");
    const scopes = scopeParts.join(":");
    if (!name || !sha256 || !/^[0-9a-f]{64}$/.test(sha256) || !scopes) {
      ctx.addIssue({ code: "custom", message: `"${name ?? entry}" must be name:sha256-hex:scope+scope` });
      return [];
    }
    return [{ name, scopes: scopes.split("+"), sha256 }];
  });
}

/** Settings that only make sense together. */
function crossFieldProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.AUTH_MODE === "required" && config.API_KEYS.length === 0 && !config.OIDC_JWKS_URL) {
    problems.push("AUTH_MODE: required needs API_KEYS or OIDC_JWKS_URL (AUTH_MODE=none only for a local stack)");
  }
  if (config.WEBHOOK_URLS.length > 0 && config.WEBHOOK_SECRETS.length === 0) {
    problems.push('WEBHOOK_URLS: needs WEBHOOK_SECRETS (requests are signed; see README "Result events")');
  }
  if (config.OIDC_JWKS_URL && (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE)) {
    problems.push("OIDC_JWKS_URL: needs OIDC_ISSUER and OIDC_AUDIENCE as well");
  }
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Validates the environment; the error names every offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset" here, as it does for most twelve-factor services.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`,
      ),
    );
  }
  return parsed.data;
}

/** The service's own checks on top of loadConfig (the CLI tools need no credentials for the API). */
export function assertServiceConfig(config: Config): void {
  const problems = crossFieldProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Every variable the service reads, for docs and the compose-file test. */
export const CONFIG_VARIABLES = Object.keys(ConfigSchema.shape) as ReadonlyArray<keyof Config>;

/** Every bucket the service reads objects from and accepts events for: BUCKET first. */
export function servedBuckets(config: Pick<Config, "BUCKET" | "EXTRA_BUCKETS">): readonly string[] {
  return [...new Set([config.BUCKET, ...config.EXTRA_BUCKETS])];
}

/** Where result events go, as the outbox stores them. */
export function resultDestinations(config: Config): ResultDestination[] {
  return [
    ...(config.RESULTS_QUEUE_URL ? [`sqs:${config.RESULTS_QUEUE_URL}` as const] : []),
    ...(config.RESULTS_TOPIC_ARN ? [`sns:${config.RESULTS_TOPIC_ARN}` as const] : []),
    ...config.WEBHOOK_URLS.map((url) => `webhook:${url}` as const),
  ];
}

/** The S3/SQS client options the configuration sets (the service, the upload CLI and setup:aws alike). */
export function awsOptions(config: Config): AwsOptions {
  return {
    endpoint: config.AWS_ENDPOINT,
    region: config.AWS_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    connectTimeoutMs: config.AWS_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: config.AWS_IDLE_TIMEOUT_MS,
    longPollSec: config.WAIT_TIME_SEC,
  };
}
