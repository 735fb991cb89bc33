import { AUDIO_ITEM_SEC } from "../fingerprint/audio-print.js";
import { audioPrintArgs } from "./ffmpeg-args.js";
import type { AllowedDemuxer, MediaPolicy } from "./media-policy.js";
import { requireCleanExit, type ProcessGuard } from "./process-guard.js";

export interface AudioPassRun {
  readonly guard: ProcessGuard;
  readonly ffmpegPath: string;
  readonly filePath: string;
  readonly policy: MediaPolicy;
  /** The demuxer the probe accepted, forced. */
  readonly demuxer: AllowedDemuxer | undefined;
  /** The probe's duration: it bounds what the pass may write. */
  readonly durationSec: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Items a stream may run past its declared duration before the rest is dropped. */
const SLACK_ITEMS = 64;

/**
 * The first audio stream's Chromaprint items, as the muxer writes them (4 bytes each). A
 * stream longer than the header says is cut at the declared length: a lying header buys no memory.
 */
export async function runAudioPass(run: AudioPassRun): Promise<Uint8Array> {
  const capBytes = 4 * (Math.ceil(run.durationSec / AUDIO_ITEM_SEC) + SLACK_ITEMS);
  const chunks: Buffer[] = [];
  let kept = 0;
  const result = await run.guard.run({
    command: run.ffmpegPath,
    args: audioPrintArgs(run.filePath, run.policy, run.demuxer),
    timeoutMs: run.timeoutMs,
    signal: run.signal,
    // The first verdict rests on the picture: the decode and the early match go first.
    background: true,
    onStdoutChunk: (chunk) => {
      const take = chunk.subarray(0, Math.max(0, capBytes - kept));
      if (take.length > 0) chunks.push(take);
      kept += take.length;
    },
  });
  requireCleanExit(result, { what: "the audio pass" });
  const bytes = Buffer.concat(chunks);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength - (bytes.byteLength % 4));
}
