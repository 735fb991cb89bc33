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
 * Hashed samples are the mean of this many consecutive frames (≈ 0.3 s). Two copies are
 * sampled at slightly different instants (trims, frame-rate changes); smoothing makes that
 * difference vanish even for footage that changes every frame.
 */
const HASH_SMOOTHING_FRAMES = 9;

/**
 * The one decode pass of an analysis. Audio, subtitles and data are never decoded; the
 * picture is scaled to 160 px wide once and split:
 *  - every frame gets a scene-change score, printed to stderr by `metadata=print`;
 *  - `sampleRate` smoothed frames a second go to stdout as raw frameSize × frameSize grey bytes.
 */
export function decodePassArgs(options: DecodePassOptions): string[] {
  const { inputPath, sampleRate, frameSize, decoderThreads } = options;
  const graph = [
    "[0:v:0]scale=160:-2,split=2[scene_in][hash_in]",
    "[scene_in]select='gte(scene,0)',metadata=print:key=lavfi.scene_score[scenes]",
    `[hash_in]tmix=frames=${HASH_SMOOTHING_FRAMES},fps=${sampleRate},scale=${frameSize}:${frameSize}:flags=area,format=gray[frames]`,
  ].join(";");
  return argumentsOf(
    ffmpeg(inputPath)
      .inputOptions(["-nostdin", "-hide_banner", "-nostats", "-threads", String(decoderThreads)])
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
