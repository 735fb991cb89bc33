import { mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { uniqueName } from "../helpers/env.js";
import { OUTPUT_DIR, startStack, waitForTerminal, type TestStack } from "../helpers/stack.js";

/** The pages in a real browser: Debian's chromium, headless, driven by playwright-core. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.join(OUTPUT_DIR, "screenshots");
// Keys of this run only: the database may hold earlier runs' videos (matching is global).
const ORIGINAL = `${uniqueName("pages")}/original.mp4`;
const COPY = ORIGINAL.replace("original.mp4", "copy 240p.mp4");

describe("pages (headless chromium)", () => {
  let stack: TestStack;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "pages-"));
    await renderScenes(path.join(dir, "original.mp4"), [
      { source: "mandelbrot=start_scale=2.2", durationSec: 5 },
      { source: "testsrc2", durationSec: 4 },
      { source: "life=seed=1401:mold=10:ratio=0.5", durationSec: 4 },
      { source: "smptehdbars", durationSec: 3 },
    ]);
    await transcode(path.join(dir, "original.mp4"), path.join(dir, "copy.mp4"), [
      "-vf",
      "scale=-2:240",
      "-c:v",
      "libx264",
      "-crf",
      "30",
      "-preset",
      "veryfast",
    ]);
    stack = await startStack("pages");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = async (key: string, file: string) =>
    stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(dir, file)) }));

  it("shows a duplicate as two aligned timelines with matched segments and thumbnails", async () => {
    await upload(ORIGINAL, "original.mp4");
    await waitForTerminal(stack.baseUrl, ORIGINAL);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    // Open the copy's page before it exists in the database: it must fill in live.
    await page.goto(`${stack.baseUrl}/videos/${encodeURIComponent(COPY)}`);
    await upload(COPY, "copy.mp4");

    const match = page.locator("li.match", { has: page.locator(`a[href="/videos/${encodeURIComponent(ORIGINAL)}"]`) });
    await match.waitFor({ timeout: 60_000 });
    await page.locator("#status.status-done").waitFor({ timeout: 60_000 });
    await expect
      .poll(
        () =>
          match.locator("img").evaluateAll((imgs) =>
            imgs.every((img) => {
              const image = img as unknown as { complete: boolean; naturalWidth: number };
              return image.complete && image.naturalWidth > 0;
            }),
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    const screenshot = path.join(SCREENSHOTS, "video-page.png");
    await page.screenshot({ path: screenshot, fullPage: true });

    expect(await match.locator("a").first().textContent()).toBe(ORIGINAL);
    expect(await match.locator(".label").first().textContent()).toMatch(/^near-duplicate · score 0\.\d{3} · offset [+-]\d+\.\d\d s$/);
    expect(await match.locator(".timeline .segment").count()).toBe(2);
    expect(await match.locator("img").count()).toBe(2);
    expect(await page.locator("#timeline .cut").count()).toBe(3);
    const width = await match
      .locator(".timeline .segment")
      .first()
      .evaluate((el: { getBoundingClientRect(): { width: number } }) => el.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(300); // the segment spans most of the timeline
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists recent videos with status and duplicate counts on /", async () => {
    const page = await browser.newPage();
    await page.goto(stack.baseUrl);
    const row = page.locator(`tr[data-file="${ORIGINAL}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator(".status-done").textContent()).toBe("done");
    expect(Number(await row.locator(".duplicates").textContent())).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "index-page.png"), fullPage: true });
    await page.close();
  });
});
