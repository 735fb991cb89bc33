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

/**
 * One low-resolution decode pass that prints the scene-change score of every frame. Audio,
 * subtitles and data streams are never decoded, and scoring runs on a 160-pixel-wide copy,
 * which finds the same cuts at a fraction of the cost.
 */
export function sceneScoreArgs(inputPath: string): string[] {
  return argumentsOf(
    ffmpeg(inputPath)
      .inputOptions(["-nostdin", "-hide_banner", "-nostats"])
      .noAudio()
      .outputOptions(["-sn", "-dn", "-loglevel", "info"])
      .videoFilters(["scale=160:-2", "select='gte(scene,0)'", "metadata=print:key=lavfi.scene_score"])
      .format("null")
      .output("-"),
  );
}

/** ffprobe's JSON description of the container and its streams. */
export function probeArgs(inputPath: string): string[] {
  return ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", inputPath];
}
