import ffmpeg from "fluent-ffmpeg";
import { policyInputArgs, type AllowedDemuxer, type MediaPolicy } from "./media-policy.js";

/**
 * fluent-ffmpeg composes our command lines; it does not run them. Its runner cannot time out
 * or kill ffprobe and kills only its own pid, so every process goes through ProcessGuard,
 * which kills whole process groups. `_getArguments` is how fluent-ffmpeg itself turns a
 * command into argv; it is the one private member we touch, and only here.
 */
function argumentsOf(command: ffmpeg.FfmpegCommand): string[] {
  return (command as unknown as { _getArguments(): string[] })._getArguments();
}

export interface DecodePassOptions {
  readonly inputPath: string;
  /** Frames per second sampled for hashing. */
  readonly sampleRate: number;
  /** Side of the square grey frames written to stdout. */
  readonly frameSize: number;
  /** Decoder threads; 0 lets ffmpeg choose (one per core, plus one). */
  readonly decoderThreads: number;
  /** Decode only from this second (input seek; output times start at 0 there) … */
  readonly seekSec?: number;
  /** … and only this many seconds. */
  readonly lengthSec?: number;
  readonly policy: MediaPolicy;
  /** The demuxer the probe accepted, forced once it is known (the first segment starts before). */
  readonly demuxer?: AllowedDemuxer;
}

/**
 * Hashed samples are the mean of this many frames of a HASH_GRID_FPS grid (0.5 s). Two
 * copies are sampled at slightly different instants (trims, frame-rate changes); smoothing
 * makes that difference vanish even for footage that changes every frame.
 */
const HASH_SMOOTHING_FRAMES = 15;
/**
 * Only reference frames are decoded, and which frames those are is the encoder's choice, so
 * two copies decode different instants. Holding each decoded frame on a fixed time grid
 * before averaging makes the mean a mean over time again, whatever frames were decoded.
 */
const HASH_GRID_FPS = 30;

/**
 * The one decode pass of an analysis. Audio, subtitles and data are never decoded, and of
 * the video only reference frames (`-skip_frame noref`: B-frames nothing depends on are
 * skipped, about half of an x264 stream; codecs without such frames decode everything). The
 * deblocking filter stays on (`-skip_loop_filter all` decoded 1080p 17 % faster, but without
 * it errors build up along each reference chain, and two short, heavily compressed copies
 * stopped finding each other: faults-process' three-replica test). The
 * picture is scaled to 160 px wide once and split:
 *  - every decoded frame gets a scene-change score, printed to stderr by `metadata=print`;
 *  - the hash branch goes to frameSize × frameSize grey first (cheap from then on), is held
 *    on a HASH_GRID_FPS grid and smoothed, and `sampleRate` frames a second go to stdout as
 *    raw grey bytes.
 * The filters run on one thread (`-filter_complex_threads 1`): on pictures this small,
 * slice threading costs more in hand-offs than it saves (measured: a 150 s 640×360 file,
 * 4.47 → 4.18 s; 1080p 120 s, 7.04 → 6.42 s; output byte-identical).
 */
export function decodePassArgs(options: DecodePassOptions): string[] {
  const { inputPath, sampleRate, frameSize, decoderThreads, seekSec, lengthSec, policy, demuxer } = options;
  const range = [...(seekSec ? ["-ss", String(seekSec)] : []), ...(lengthSec === undefined ? [] : ["-t", String(lengthSec)])];
  const graph = [
    "[0:v:0]scale=160:-2:flags=area,split=2[scene_in][hash_in]",
    "[scene_in]select='gte(scene,0)',metadata=print:key=lavfi.scene_score[scenes]",
    `[hash_in]scale=${frameSize}:${frameSize}:flags=area,format=gray,fps=${HASH_GRID_FPS},tmix=frames=${HASH_SMOOTHING_FRAMES},fps=${sampleRate}[frames]`,
  ].join(";");
  return argumentsOf(
    ffmpeg(inputPath)
      .inputOptions([
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-filter_complex_threads",
        "1",
        "-threads",
        String(decoderThreads),
        "-skip_frame",
        "noref",
        ...policyInputArgs(policy, demuxer),
        ...range,
      ])
      .complexFilter(graph)
      .output("-")
      .outputOptions(["-map", "[scenes]", "-f", "null"])
      .output("pipe:1")
      .outputOptions(["-map", "[frames]", "-f", "rawvideo", "-loglevel", "info"]),
  );
}

/**
 * The soundtrack's Chromaprint fingerprint (src/fingerprint/audio-print.ts): the first audio
 * stream only, decoded on one thread (audio decodes at hundreds of times real time), written
 * as raw 32-bit items to stdout once the stream ends.
 */
export function audioPrintArgs(inputPath: string, policy: MediaPolicy, demuxer?: AllowedDemuxer): string[] {
  return argumentsOf(
    ffmpeg(inputPath)
      .inputOptions(["-nostdin", "-hide_banner", "-nostats", "-threads", "1", ...policyInputArgs(policy, demuxer)])
      .output("pipe:1")
      .outputOptions(["-map", "0:a:0", "-vn", "-sn", "-dn", "-f", "chromaprint", "-fp_format", "raw", "-loglevel", "error"]),
  );
}

/** ffprobe's JSON description of the container and its streams, under the media policy. */
export function probeArgs(inputPath: string, policy: MediaPolicy): string[] {
  return ["-v", "error", ...policyInputArgs(policy), "-print_format", "json", "-show_format", "-show_streams", inputPath];
}
