import type { Logger } from "pino";
import type { MediaInfo } from "../domain/media-info.js";
import { describeError } from "../domain/errors.js";
import { changingShare, decodeAudioPrint, type AudioPrint } from "../fingerprint/audio-print.js";
import type { MediaAnalyzer } from "./ports.js";

/**
 * The soundtrack's print, beside the decode. The picture decides every match and the sound
 * only confirms it, so a soundtrack ffmpeg cannot read costs the video that confirmation, not
 * its analysis: it is logged and the video goes on without one. A stop (shutdown, a lost
 * lease) still stops.
 */
export async function printSoundtrack(
  media: MediaAnalyzer,
  filePath: string,
  info: MediaInfo,
  signal: AbortSignal,
  log: Logger,
): Promise<AudioPrint | null> {
  try {
    const bytes = await media.audioPrint(filePath, info, signal);
    if (!bytes) return null;
    const print = decodeAudioPrint(bytes);
    log.info(
      { event: "job.soundtrack_printed", items: print.length, changing: Number(changingShare(print).toFixed(2)) },
      "soundtrack printed",
    );
    return print;
  } catch (err) {
    if (signal.aborted) throw err;
    log.warn(
      { event: "job.soundtrack_unreadable", err: describeError(err) },
      "the soundtrack could not be read; matches rest on the picture alone",
    );
    return null;
  }
}
