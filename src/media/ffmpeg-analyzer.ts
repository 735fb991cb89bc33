import type { MediaCaps, MediaInfo } from "../domain/media-info.js";
import type { FrameScore } from "../fingerprint/cut-detector.js";
import { FRAME_SIZE } from "../fingerprint/frame-hash.js";
import { SAMPLE_RATE } from "../fingerprint/signature.js";
import { runAudioPass } from "./audio-pass.js";
import { runDecodePass } from "./decode-pass.js";
import { allowedDemuxer, type MediaPolicy } from "./media-policy.js";
import type { ProcessGuard } from "./process-guard.js";
import { probeMedia } from "./probe.js";

export interface AnalysisLimits {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly media: MediaCaps;
  readonly probeTimeoutMs: number;
  readonly timeoutBaseMs: number;
  readonly timeoutPerSecMs: number;
  readonly timeoutMaxMs: number;
  /** ffmpeg's decoder threads per analysis; 0 lets ffmpeg choose. */
  readonly decoderThreads: number;
  /** Most ffmpeg processes one video's decode is split into. */
  readonly decodeSegments: number;
}

/** Scene detection may take base + perSec × duration, capped. */
export function analysisTimeoutMs(limits: AnalysisLimits, durationSec: number): number {
  return Math.min(limits.timeoutMaxMs, limits.timeoutBaseMs + limits.timeoutPerSecMs * durationSec);
}

/** One video's decode: the file, the probe's findings (which arrive later), the outputs. */
export interface DecodeRequest {
  readonly filePath: string;
  /** A rejection (the probe found no video) stops the decode with that error. */
  readonly probed: Promise<MediaInfo>;
  readonly signal: AbortSignal;
  /** Every frame's scene score, in time order. */
  readonly onFrameScore: (frame: FrameScore) => void;
  /** The n-th grey sample (SAMPLE_RATE a second); with parallel segments, out of order. */
  readonly onSample: (index: number, gray: Uint8Array) => void;
}

/** ffprobe and the decode pass with the service's limits, every process under the guard. */
export class FfmpegAnalyzer {
  constructor(
    private readonly guard: ProcessGuard,
    private readonly limits: AnalysisLimits,
  ) {}

  private policy(): MediaPolicy {
    return { maxPixels: this.limits.media.maxPixels };
  }

  probe(filePath: string): Promise<MediaInfo> {
    const { limits } = this;
    return probeMedia(this.guard, limits.ffprobePath, filePath, limits.probeTimeoutMs, limits.media);
  }

  decode(request: DecodeRequest): Promise<void> {
    const { limits } = this;
    return runDecodePass({
      guard: this.guard,
      ffmpegPath: limits.ffmpegPath,
      filePath: request.filePath,
      timeoutMs: (d) => analysisTimeoutMs(limits, d),
      sampleRate: SAMPLE_RATE,
      frameSize: FRAME_SIZE,
      decoderThreads: limits.decoderThreads,
      durationSec: request.probed.then((info) => info.durationSec),
      demuxer: request.probed.then(
        (info) => allowedDemuxer(info.formatName),
        () => undefined,
      ),
      policy: this.policy(),
      maxSegments: limits.decodeSegments,
      signal: request.signal,
      onFrameScore: request.onFrameScore,
      onSample: request.onSample,
    });
  }

  /** The soundtrack's Chromaprint items (AudioPrint's stored form); null when the file has no audio. */
  async audioPrint(filePath: string, info: MediaInfo, signal: AbortSignal): Promise<Uint8Array | null> {
    if (!info.hasAudio) return null;
    const { limits } = this;
    return runAudioPass({
      guard: this.guard,
      ffmpegPath: limits.ffmpegPath,
      filePath,
      policy: this.policy(),
      demuxer: allowedDemuxer(info.formatName),
      durationSec: info.durationSec,
      timeoutMs: analysisTimeoutMs(limits, info.durationSec),
      signal,
    });
  }
}
