import type { Config } from "./config.js";
import type { AnalysisLimits } from "./media/ffmpeg-analyzer.js";
import { ProcessGuard } from "./media/process-guard.js";

/**
 * What the configuration makes of the media layer, for the service and for the tools that
 * analyse files the same way (npm run explain, the benchmarks).
 */

/** The process guard every ffmpeg and ffprobe run goes through, at the configured niceness and memory. */
export function mediaGuard(config: Config, onKilled?: ConstructorParameters<typeof ProcessGuard>[1]): ProcessGuard {
  return new ProcessGuard(config.KILL_GRACE_MS, onKilled, config.ANALYSIS_NICENESS, config.MEDIA_MEMORY_LIMIT_MB * 1024 ** 2);
}

/** The analysis limits the configuration sets. */
export function analysisLimits(config: Config): AnalysisLimits {
  return {
    ffmpegPath: config.FFMPEG_PATH,
    ffprobePath: config.FFPROBE_PATH,
    media: { maxPixels: config.MAX_VIDEO_PIXELS, maxDurationSec: config.MAX_DURATION_SEC },
    probeTimeoutMs: config.PROBE_TIMEOUT_MS,
    timeoutBaseMs: config.ANALYSIS_TIMEOUT_BASE_MS,
    timeoutPerSecMs: config.ANALYSIS_TIMEOUT_PER_SEC_MS,
    timeoutMaxMs: config.ANALYSIS_TIMEOUT_MAX_MS,
    decoderThreads: config.ANALYSIS_DECODER_THREADS,
    decodeSegments: config.ANALYSIS_DECODE_SEGMENTS,
  };
}
