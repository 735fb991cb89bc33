#!/usr/bin/env node
/**
 * tvidz-explain (npm run explain -- <stored video> <query video>): why the matcher does or
 * does not call the query a duplicate of the stored video. Both local files are analysed as
 * the service analyses uploads (ffprobe, the decode pass, the soundtrack), with no database
 * or queue; see README "Explaining a pair".
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { describeError } from "../domain/errors.js";
import { decodeAudioPrint, encodeAudioPrint } from "../fingerprint/audio-print.js";
import { FingerprintBuilder } from "../fingerprint/fingerprint-builder.js";
import { pictureSeconds, type Signature } from "../fingerprint/signature.js";
import { explainPair, type ViewReport } from "../match/explain-pair.js";
import { findDuplicates, type QueryFootage } from "../match/find-duplicates.js";
import { InMemoryIndex } from "../match/memory-index.js";
import { FfmpegAnalyzer } from "../media/ffmpeg-analyzer.js";
import { analysisLimits, mediaGuard } from "../wiring.js";

const USAGE = `usage: npm run explain -- <stored video> <query video> [--json]
  Analyses both local files as the service would and explains, for each view of the query
  (the picture, regions of its frame, its mirror image), what the index search and the
  frame-by-frame verification make of the pair. Nothing is stored.`;

/** A file's footage as a query, with what its stored side would also keep (its centre strip, its aspect). */
type ExplainedFootage = QueryFootage & { stripSignature: Signature | null; aspect: number };

async function footageOf(media: FfmpegAnalyzer, filePath: string, signal: AbortSignal): Promise<ExplainedFootage> {
  const probed = media.probe(filePath);
  const fingerprint = new FingerprintBuilder();
  const info = await probed;
  fingerprint.setFrameAspect(info.width / info.height);
  await media.decode({
    filePath,
    probed,
    signal,
    onFrameScore: (frame) => fingerprint.addFrameScore(frame),
    onSample: (i, gray) => fingerprint.addSample(i, gray),
  });
  fingerprint.finish();
  const audio = await media.audioPrint(filePath, info, signal);
  return {
    ...fingerprint.searched(),
    videoNum: 2,
    stripSignature: fingerprint.stripSignature(),
    aspect: info.width / info.height,
    durationSec: info.durationSec,
    audioPrint: audio && decodeAudioPrint(audio),
  };
}

const sec = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(2)} s`;

function describeView(report: ViewReport): string {
  const lines = [
    `${report.view}: ${report.keysHit} of ${report.keys} keys meet the stored video's index rows; ` +
      (report.candidate
        ? `voting: ${report.candidate.votes} votes at ${sec(report.candidate.offsetSec)} (a candidate)`
        : "voting: no offset with 2 votes (not a candidate)"),
  ];
  if (report.alignments.length === 0) lines.push("  no offset where the pictures agree");
  for (const a of report.alignments) {
    const judged = a.verdict ? `${a.verdict.kind} ${a.verdict.score}` : "not a match at rate 1";
    lines.push(
      `  at ${sec(a.offsetSec)}: ${a.matchedSec.toFixed(1)} s agree (density ${a.density.toFixed(2)}, ${a.distinctPictures} distinct pictures)` +
        `${a.rate !== 1 ? `, best at rate ${a.rate}` : ""} → ${judged}`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help || positionals.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const media = new FfmpegAnalyzer(mediaGuard(config), analysisLimits(config));
  const signal = new AbortController().signal;
  const [storedFile, queryFile] = positionals as [string, string];
  const [stored, query] = [await footageOf(media, storedFile, signal), await footageOf(media, queryFile, signal)];
  const index = new InMemoryIndex();
  index.add("stored", 1, storedFile, stored.signature, {
    audioPrint: stored.audioPrint ? encodeAudioPrint(stored.audioPrint) : null,
    stripSignature: stored.stripSignature,
    aspect: stored.aspect,
  });
  const views = explainPair(stored, query);
  const found = await findDuplicates(index, query);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ views, duplicates: found })}\n`);
    return 0;
  }
  const pictured = (f: QueryFootage) =>
    `${f.durationSec.toFixed(1)} s, ${pictureSeconds(f.signature, f.durationSec).toFixed(1)} s with a picture`;
  process.stdout.write(`stored ${storedFile}: ${pictured(stored)}\nquery  ${queryFile}: ${pictured(query)}\n\n`);
  process.stdout.write(`${views.map(describeView).join("\n")}\n\n`);
  const [match] = found;
  process.stdout.write(
    match
      ? `the matcher's verdict: ${match.verdict.kind} ${match.verdict.score} at ${sec(match.verdict.offsetSec)}${match.flipped ? ", flipped" : ""}${match.region ? `, in region [${match.region.join(", ")}]` : ""}${match.rate !== 1 ? `, rate ${match.rate}` : ""}, evidence: ${match.evidence}\n`
      : "the matcher's verdict: not a duplicate\n",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`explain: ${describeError(err)}\n`);
    process.exit(1);
  },
);
