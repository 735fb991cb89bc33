import type { Logger } from "pino";
import type { MediaInfo } from "../domain/media-info.js";
import { describeError } from "../domain/errors.js";
import { changingShare, decodeAudioPrint } from "../fingerprint/audio-print.js";
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
): Promise<Uint8Array | null> {
  try {
    const print = await media.audioPrint(filePath, info, signal);
    if (print) {
      const items = decodeAudioPrint(print);
      log.info(
        { event: "job.soundtrack_printed", items: items.length, changing: Number(changingShare(items).toFixed(2)) },
        "soundtrack printed",
      );
    }
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
