#!/usr/bin/env node
/**
 * tvidz-upload (npm run upload -- <file> [more files]): uploads videos to the configured
 * bucket (multipart for large files), follows each one's status with a progress bar until it
 * is terminal, and prints its duplicates; exits 1 if any failed (printing its error code).
 * Configuration is the service's own (AWS_ENDPOINT, AWS_REGION, BUCKET …) plus INSPECTOR_URL.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { Upload } from "@aws-sdk/lib-storage";
import cliProgress from "cli-progress";
import { z } from "zod";
import { createAwsClients, describeAwsError } from "../aws/clients.js";
import { awsOptions, ConfigError, loadConfig } from "../config.js";
import { StatusSnapshotSchema, type StatusSnapshot } from "../status/snapshot.js";

/** A region of a frame as the CLI prints it: x and y spans in percent. */
const part = (r: readonly number[]) =>
  `x ${Math.round(r[0]! * 100)}–${Math.round(r[2]! * 100)} %, y ${Math.round(r[1]! * 100)}–${Math.round(r[3]! * 100)} %`;

const USAGE = `usage: npm run upload -- [--prefix <key prefix>] [--timeout <seconds>] [--no-wait] <file> [more files]
  env: AWS_ENDPOINT (default http://127.0.0.1:4566; "aws" for real AWS), AWS_REGION, BUCKET,
       S3_FORCE_PATH_STYLE, INSPECTOR_URL (default http://127.0.0.1:8080)`;

const POLL_MS = 500;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      prefix: { type: "string", default: "" },
      timeout: { type: "string", default: "1800" },
      "no-wait": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const inspectorUrl = z
    .url()
    .parse(process.env.INSPECTOR_URL ?? "http://127.0.0.1:8080")
    .replace(/\/$/, "");
  const timeoutMs = z.coerce.number().positive().parse(values.timeout) * 1000;
  const { s3 } = createAwsClients(awsOptions(config));

  const bars = new cliProgress.MultiBar(
    {
      format: " {bar} {percentage}% | {stage} | {key}",
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: !process.stdout.isTTY,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  const results = await Promise.all(
    positionals.map(async (file) => {
      const key = `${values.prefix}${path.basename(file)}`;
      const bar = bars.create(100, 0, { key, stage: "uploading" });
      try {
        const size = (await stat(file)).size;
        const upload = new Upload({
          client: s3,
          params: { Bucket: config.BUCKET, Key: key, Body: createReadStream(file) },
          partSize: 16 * 1024 * 1024,
          queueSize: 4,
        });
        upload.on("httpUploadProgress", (p) => bar.update(Math.round(((p.loaded ?? 0) / Math.max(1, size)) * 100), { stage: "uploading" }));
        await upload.done();
        if (values["no-wait"]) {
          bar.update(100, { stage: "uploaded" });
          return { key, snapshot: undefined, problem: undefined };
        }
        bar.update(0, { stage: "queued" });
        const snapshot = await follow(inspectorUrl, key, timeoutMs, (s) => bar.update(Math.round(s.progress * 100), { stage: s.status }));
        return { key, snapshot, problem: undefined };
      } catch (err) {
        bar.update({ stage: "error" });
        return { key, snapshot: undefined, problem: describeAwsError(err, config.AWS_ENDPOINT) };
      }
    }),
  );
  bars.stop();
  s3.destroy();

  let failures = 0;
  for (const { key, snapshot, problem } of results) {
    if (problem) {
      failures += 1;
      console.log(`✖ ${key}: ${problem}`);
    } else if (!snapshot) {
      console.log(`↑ ${key}: uploaded`);
    } else if (snapshot.status === "failed") {
      failures += 1;
      console.log(`✖ ${key}: failed ${snapshot.error?.code ?? "UNKNOWN"}: ${snapshot.error?.message ?? ""}`);
    } else {
      console.log(`✔ ${key}: ${snapshot.duplicates.length === 0 ? "no duplicates" : `${snapshot.duplicates.length} duplicate(s)`}`);
      for (const d of snapshot.duplicates) {
        const offset = `${d.offsetSec >= 0 ? "+" : ""}${d.offsetSec.toFixed(2)} s`;
        const layout = `${d.region ? `its picture here at ${part(d.region)}; ` : ""}${d.otherRegion ? `this picture there at ${part(d.otherRegion)}; ` : ""}`;
        console.log(
          `    ${d.kind.padEnd(14)} score ${d.score.toFixed(3)}  ${d.file}  (${d.evidence === "both" ? "picture and sound; " : "picture; "}${d.flipped ? "mirrored; " : ""}${d.rate === 1 ? "" : `×${d.rate}; `}${layout}offset ${offset}; here ${d.segment[0]}–${d.segment[1]} s, there ${d.otherSegment[0]}–${d.otherSegment[1]} s)`,
        );
        for (const m of d.moreSegments)
          console.log(`      and here ${m.segment[0]}–${m.segment[1]} s, there ${m.otherSegment[0]}–${m.otherSegment[1]} s`);
      }
    }
  }
  return failures > 0 ? 1 : 0;
}

/** Polls GET /status/:file until the object is done or failed. */
async function follow(baseUrl: string, key: string, timeoutMs: number, onSnapshot: (s: StatusSnapshot) => void): Promise<StatusSnapshot> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/status/${encodeURIComponent(key)}`).catch(() => undefined);
    if (response?.ok) {
      const snapshot = StatusSnapshotSchema.parse(await response.json());
      onSnapshot(snapshot);
      if (snapshot.status === "done" || snapshot.status === "failed") return snapshot;
    } else if (response && response.status !== 404 && response.status < 500) {
      throw new Error(`the inspector answered ${response.status} for ${key}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`no result within ${timeoutMs / 1000} s (the service at ${baseUrl} may be down)`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
