/** What ffprobe found in an accepted video. */
export interface MediaInfo {
  readonly durationSec: number;
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly formatName: string;
  /** The file has an audio stream (its soundtrack is fingerprinted too). */
  readonly hasAudio: boolean;
}

/** What the service agrees to analyse; a header may claim anything, these bound the work. */
export interface MediaCaps {
  readonly maxPixels: number;
  readonly maxDurationSec: number;
}

export const DEFAULT_MEDIA_CAPS: MediaCaps = { maxPixels: 7680 * 4320, maxDurationSec: 6 * 3600 };
