import ffmpeg from "fluent-ffmpeg";

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
}

/**
 * Hashed samples are the mean of about a third of a second of footage. Two copies are
 * sampled at slightly different instants (trims, frame-rate changes); smoothing makes that
 * difference vanish even for footage that changes every frame. The frames are first put on
 * a fixed time grid, so the window covers the same time whichever frames were decoded (the
 * frame rate and the reference structure differ from copy to copy).
 */
const SMOOTHING_GRID_FPS = 48;
const SMOOTHING_GRID_FRAMES = 16;

/**
 * The one decode pass of an analysis, cheaper than a plain decode of the file:
 *  - only reference frames are decoded (`-skip_frame noref`): for H.264/HEVC with B-frames
 *    that skips about half of them. The fingerprint keeps what it needs: encoders usually
 *    put an I- or P-frame at a scene cut (otherwise the cut shows a frame or two late), and
 *    samples are smoothed over a third of a second anyway;
 *  - audio, subtitles and data are never decoded;
 *  - the picture is area-scaled to 160 px wide once, then split:
 *    - a 64 px wide copy of every decoded frame gets a scene-change score, printed to stderr
 *      by `metadata=print` (at 64 px, fine texture in motion no longer looks like a cut);
 *    - `sampleRate` smoothed frames a second go to stdout as raw frameSize × frameSize grey
 *      bytes; everything after the first scale works on 64 × 64 grey (a fifth of the pixels).
 */
export function decodePassArgs(options: DecodePassOptions): string[] {
  const { inputPath, sampleRate, frameSize, decoderThreads } = options;
  const graph = [
    "[0:v:0]scale=160:-2:flags=area,split=2[scene_in][hash_in]",
    "[scene_in]scale=64:-2:flags=area,select='gte(scene,0)',metadata=print:key=lavfi.scene_score[scenes]",
    `[hash_in]scale=${frameSize}:${frameSize}:flags=area,format=gray,fps=${SMOOTHING_GRID_FPS},tmix=frames=${SMOOTHING_GRID_FRAMES},fps=${sampleRate}[frames]`,
  ].join(";");
  return argumentsOf(
    ffmpeg(inputPath)
      .inputOptions(["-nostdin", "-hide_banner", "-nostats", "-threads", String(decoderThreads), "-skip_frame", "noref"])
      .complexFilter(graph)
      .output("-")
      .outputOptions(["-map", "[scenes]", "-f", "null"])
      .output("pipe:1")
      .outputOptions(["-map", "[frames]", "-f", "rawvideo", "-loglevel", "info"]),
  );
}

/** ffprobe's JSON description of the container and its streams. */
export function probeArgs(inputPath: string): string[] {
  return ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", inputPath];
}
