import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { FrameIndex } from "../../src/store/frame-index.js";
import { FingerprintImporter } from "../../src/store/fingerprint-import.js";
import { encodeSignature, SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import { videoIndexEntries } from "../../src/fingerprint/stored-rows.js";
import { findDuplicates } from "../../src/match/find-duplicates.js";
import { mulberry32 } from "../../scripts/bench/random-scenes.js";
import { reencoded, syntheticSignature } from "../../scripts/bench/synthetic.js";
import { testDb } from "../helpers/stack.js";
import { requireEnv, uniqueName } from "../helpers/env.js";

const db = testDb();
const index = new FrameIndex(db);
const pool = new pg.Pool({ connectionString: requireEnv("TEST_DATABASE_URL"), max: 1 });
const importer = new FingerprintImporter(pool);
const bucket = uniqueName("import");

afterAll(async () => {
  await db.$executeRaw`DELETE FROM frame_index WHERE video_num IN (SELECT num FROM video WHERE bucket = ${bucket})`;
  await db.video.deleteMany({ where: { bucket } });
  await db.$disconnect();
  await pool.end();
});

describe("batch import of fingerprints", () => {
  it("stores signatures, centre strips and index rows intact, so the matcher finds an imported video", async () => {
    const rng = mulberry32(5);
    const signatures = [60, 90, 120].map((sec) => syntheticSignature(rng, sec));
    const strip = syntheticSignature(rng, 120);
    await importer.import(
      bucket,
      signatures.map((signature, i) => ({
        key: `v${i}.mp4`,
        durationSec: signature.length / SAMPLE_RATE,
        signature: encodeSignature(signature),
        stripSignature: i === 2 ? encodeSignature(strip) : null,
        entries: videoIndexEntries(signature, i === 2 ? strip : null),
      })),
    );

    const stored = await db.video.findMany({ where: { bucket }, orderBy: { key: "asc" } });
    expect(stored.map((v) => Buffer.from(v.signature!).equals(encodeSignature(signatures[Number(v.key[1])]!)))).toEqual([true, true, true]);
    for (const video of stored) {
      const rows = await db.frameIndex.findMany({ where: { videoNum: video.num }, orderBy: [{ key: "asc" }, { sample: "asc" }] });
      const expected = [...videoIndexEntries(signatures[Number(video.key[1])]!, video.key === "v2.mp4" ? strip : null)];
      expect(rows.map((r) => [r.key, r.sample])).toEqual(
        expected.sort((a, b) => a.key - b.key || a.sample - b.sample).map((e) => [e.key, e.sample]),
      );
    }
    expect(stored.map((v) => v.stripSignature && Buffer.from(v.stripSignature).equals(encodeSignature(strip)))).toEqual([null, null, true]);

    const copy = reencoded(rng, signatures[1]!);
    const footage = { videoNum: -1, signature: copy, mirrored: [], regions: [], durationSec: copy.length / SAMPLE_RATE };
    const found = await findDuplicates(index, footage);
    expect(found.map((d) => d.reference.key)).toContain("v1.mp4");
  });
});
