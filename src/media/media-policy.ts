/**
 * The one media policy every ffprobe and ffmpeg run goes through. Uploaded media is hostile:
 * ffmpeg picks a demuxer by probing the content, not by the name, and several demuxers open
 * other resources (an HLS playlist or a DASH manifest names URLs or host paths, concat lists
 * files, SDP binds sockets, image2 expands patterns). So:
 *  - only single-file video containers may be opened (`-format_whitelist`), and the demuxer
 *    the probe accepted is forced on every later run (`-f`);
 *  - only the `file` protocol is allowed (`-protocol_whitelist`): no network, no `data:`,
 *    no `subfile`, no `concat:`;
 *  - decoders refuse frames over the pixel cap (`-max_pixels`), whatever the header said;
 *  - each child's address space is capped (`prlimit --as`, see ProcessGuard).
 */

/** Demuxers of real single-file video containers (ffmpeg's names; `mov` covers mp4/m4a/3gp/3g2/mj2). */
export const ALLOWED_DEMUXERS = [
  "mov",
  "matroska",
  "avi",
  "mpegts",
  "flv",
  "mpeg",
  "ogg",
  "asf",
  "mxf",
  "h264",
  "hevc",
  "m4v",
  "mpegvideo",
  "dv",
  "ivf",
  "nut",
] as const;
export type AllowedDemuxer = (typeof ALLOWED_DEMUXERS)[number];

export interface MediaPolicy {
  /** Largest frame any decoder may produce (width × height). */
  readonly maxPixels: number;
}

/** Input options for a run over an uploaded file; `demuxer` is the one the probe accepted. */
export function policyInputArgs(policy: MediaPolicy, demuxer?: AllowedDemuxer): string[] {
  return [
    "-protocol_whitelist",
    "file",
    "-format_whitelist",
    ALLOWED_DEMUXERS.join(","),
    "-max_pixels",
    String(policy.maxPixels),
    ...(demuxer ? ["-f", demuxer] : []),
  ];
}

/**
 * The allowed demuxer that ffprobe's `format_name` names (it lists a demuxer's aliases, e.g.
 * "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm"), or undefined when none is allowed.
 */
export function allowedDemuxer(formatName: string): AllowedDemuxer | undefined {
  const names = formatName.split(",");
  return ALLOWED_DEMUXERS.find((demuxer) => names.includes(demuxer));
}

/** ffmpeg's words when the policy stopped a run: what the file tried to do, for the job's error. */
export function policyViolation(stderrLine: string): "format" | "protocol" | "pixels" | undefined {
  if (/not on (the )?(format )?whitelist|Format not on whitelist/i.test(stderrLine)) return "format";
  if (/Protocol '[^']*' not on whitelist/i.test(stderrLine)) return "protocol";
  if (/exceeds specified max pixel count/i.test(stderrLine)) return "pixels";
  return undefined;
}
