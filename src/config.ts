import os from "node:os";
import { z } from "zod";

/** Reads a positive integer from the environment, with a default. */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Comma-separated origins allowed to call the API from browsers; empty = CORS closed. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
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
  /** Real AWS needs virtual-hosted addressing; emulators want path-style. */
  S3_FORCE_PATH_STYLE: z.stringbool().default(true),
  BUCKET: z.string().min(3).max(63).default("videos"),
  QUEUE_NAME: z.string().min(1).max(80).default("video-events"),

  DATABASE_URL: z
    .url()
    .refine((u) => u.startsWith("postgres://") || u.startsWith("postgresql://"), "must be a postgres:// URL")
    .default("postgresql://postgres@127.0.0.1:5432/tvidz"),
  DB_POOL_MAX: positiveInt(10),
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt(15_000),

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
  SHUTDOWN_GRACE_MS: positiveInt(25_000),
  TMP_DIR: z.string().min(1).default(os.tmpdir()),
});

export type Config = z.infer<typeof ConfigSchema>;

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

/** Every variable the service reads, for docs and the compose-file test. */
export const CONFIG_VARIABLES = Object.keys(ConfigSchema.shape) as ReadonlyArray<keyof Config>;
