import { mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { uniqueName } from "../helpers/env.js";
import { createRemoteHost, type RemoteHost } from "../helpers/netns.js";
import { OUTPUT_DIR, startStack, testDb, waitForTerminal, type TestStack } from "../helpers/stack.js";
import type { DuplicatesPage } from "../../src/status/snapshot.js";

/**
 * The pages in a real browser: Debian's chromium, headless, driven by playwright-core, on a
 * second host (a network namespace) that reaches the service at a private address over plain
 * HTTP, as a colleague on the LAN does: a page that only works on 127.0.0.1 fails here.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.join(OUTPUT_DIR, "screenshots");
// Keys of this run only: the database may hold earlier runs' videos (matching is global).
const ORIGINAL = `${uniqueName("pages")}/original.mp4`;
const COPY = ORIGINAL.replace("original.mp4", "copy 240p.mp4");
// 945 bytes and no space to break at (S3 allows 1024).
const LONG = `${ORIGINAL.replace("original.mp4", "")}${"a-long-name-without-any-space-".repeat(40)}`.slice(0, 941) + ".mp4";
const TWO_SHOTS = ORIGINAL.replace("original.mp4", "two shots.mp4");
const NOTES = ORIGINAL.replace("original.mp4", "notes.mp4");

describe("pages (headless chromium)", () => {
  let stack: TestStack;
  let browser: Browser;
  let dir: string;
  let remote: RemoteHost;
  /** The service as the browser on the other host reaches it. */
  let siteUrl: string;

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
    await renderScenes(path.join(dir, "two-shots.mp4"), [
      { source: "testsrc2", durationSec: 3 },
      { source: "smptehdbars", durationSec: 3 },
    ]);
    await writeFile(path.join(dir, "notes.mp4"), "These are meeting notes, not a video.\n".repeat(50));
    remote = await createRemoteHost();
    stack = await startStack("pages", { HOST: "0.0.0.0" });
    siteUrl = stack.baseUrl.replace("127.0.0.1", remote.serviceAddress);
    browser = await chromium.launch({ executablePath: await remote.wrap(CHROMIUM), args: ["--no-sandbox"] });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await remote?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = async (key: string, file: string) =>
    stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(dir, file)) }));

  it("shows a duplicate as two aligned timelines with matched segments and thumbnails", async () => {
    await upload(ORIGINAL, "original.mp4");
    await waitForTerminal(stack.baseUrl, ORIGINAL);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // The copy's status is 404 until it is uploaded: expected, not an error of the page.
    const errors = collectErrors(page, encodeURIComponent(COPY));
    // Open the copy's page before it exists in the database: it must fill in live.
    await page.goto(`${siteUrl}/videos/${encodeURIComponent(COPY)}`);
    await upload(COPY, "copy.mp4");

    const match = page.locator("li.match", { has: page.locator(`a[href="/videos/${encodeURIComponent(ORIGINAL)}"]`) });
    await match.waitFor({ timeout: 60_000 });
    await page.locator("#status.status-done").waitFor({ timeout: 60_000 });
    await expect.poll(() => thumbnailsLoaded(page), { timeout: 30_000 }).toBe(true);
    const screenshot = path.join(SCREENSHOTS, "video-page.png");
    await page.screenshot({ path: screenshot, fullPage: true });

    expect(await match.locator("a").first().textContent()).toBe(ORIGINAL);
    expect(await match.locator(".label").first().textContent()).toMatch(
      /^near-duplicate · picture · score 0\.\d{3} · offset [+-]\d+\.\d\d s$/,
    );
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
    const errors = collectErrors(page);
    await page.goto(siteUrl);
    const row = page.locator(`tr[data-file="${ORIGINAL}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator(".status-done").textContent()).toBe("done");
    expect(Number(await row.locator(".duplicates").textContent())).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "index-page.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("keeps every column on screen with a 945-byte key: elided in the table, wrapped on the video pages", async () => {
    await upload(LONG, "copy.mp4");
    await waitForTerminal(stack.baseUrl, LONG);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(siteUrl);
    const row = page.locator(`tr[data-file="${LONG}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator("td.key a").getAttribute("title")).toBe(LONG);
    for (const column of ["td.key", ".status-done", ".duplicates"]) {
      const box = await row.locator(column).boundingBox();
      expect(box!.x + box!.width, `${column} ends inside the window`).toBeLessThanOrEqual(1100);
    }
    expect(await overflowing(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "index-long-key.png") });

    // The long key's own page, and the original's page where it is listed as a duplicate.
    for (const key of [LONG, ORIGINAL]) {
      await page.goto(`${siteUrl}/videos/${encodeURIComponent(key)}`);
      await page.locator(`li.match a[href="/videos/${encodeURIComponent(key === LONG ? ORIGINAL : LONG)}"]`).waitFor({ timeout: 10_000 });
      expect(await overflowing(page), key === LONG ? "the long key's page" : "the original's page").toEqual([]);
      await expect.poll(() => thumbnailsLoaded(page), { timeout: 30_000 }).toBe(true);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, "video-long-key.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says what it knows in plain words: one cut, a failed analysis, a key never seen", async () => {
    await upload(TWO_SHOTS, "two-shots.mp4");
    await upload(NOTES, "notes.mp4");
    await waitForTerminal(stack.baseUrl, TWO_SHOTS);
    await waitForTerminal(stack.baseUrl, NOTES);
    const page = await browser.newPage();
    const cuts = page.locator("#cuts");

    await page.goto(`${siteUrl}/videos/${encodeURIComponent(TWO_SHOTS)}`);
    await page.locator("#status.status-done").waitFor({ timeout: 10_000 });
    expect(await cuts.textContent()).toMatch(/^1 cut: 3\.\d\d s$/);

    await page.goto(`${siteUrl}/videos/${encodeURIComponent(NOTES)}`);
    await page.locator("#status.status-failed").waitFor({ timeout: 10_000 });
    expect(await cuts.textContent()).toBe("None: the analysis failed.");

    await page.goto(`${siteUrl}/videos/${encodeURIComponent(`${NOTES}.never-uploaded`)}`);
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 10_000 }).toBe("not found");
    expect(await page.locator("#error").textContent()).toContain("No video with this key has been seen");
    await page.close();
  });

  it("a popular video: the page names the group, lists the strongest 20 duplicates and loads the rest", async () => {
    // The group so far: ORIGINAL, COPY and LONG. 24 more whole copies of ORIGINAL, written as the analysis would
    // store them (analysing 24 videos here would take minutes; bench:popular does it with 300).
    const db = testDb();
    const original = await db.video.findFirstOrThrow({ where: { bucket: stack.config.BUCKET, key: ORIGINAL } });
    const groupId = original.groupId;
    expect(groupId).not.toBeNull();
    for (let i = 0; i < 24; i += 1) {
      const filler = await db.video.create({
        data: { bucket: stack.config.BUCKET, key: ORIGINAL.replace("original.mp4", `popular/copy-${i}.mp4`), durationSec: 16, groupId },
      });
      await db.job.create({ data: { videoId: filler.id, status: "analyzing" } });
      await db.job.update({ where: { videoId: filler.id }, data: { status: "done", progress: 1 } });
      const match = {
        score: 0.5 + i / 100,
        kind: "near_duplicate" as const,
        offsetSec: 0,
        segmentStart: 0,
        segmentEnd: 16,
        otherStart: 0,
        otherEnd: 16,
      };
      // The strongest filler also shares a second stretch, at another alignment.
      const [here, there] =
        i === 23
          ? [
              [4, 8],
              [10, 14],
            ]
          : [[], []];
      await db.match.create({
        data: { videoId: original.id, otherVideoId: filler.id, ...match, moreSegments: here, moreOtherSegments: there },
      });
      await db.match.create({
        data: { videoId: filler.id, otherVideoId: original.id, ...match, moreSegments: there, moreOtherSegments: here },
      });
    }
    await db.$disconnect();

    const pageOf = async (query: string) => fetch(`${stack.baseUrl}/duplicates/${encodeURIComponent(ORIGINAL)}${query}`);
    const first = (await (await pageOf("?limit=10")).json()) as DuplicatesPage;
    // COPY and LONG (a byte-identical copy of COPY, from the test before) are the strongest.
    expect(first.total).toBe(26);
    expect(
      first.duplicates
        .slice(0, 2)
        .map((d) => d.file)
        .sort(),
    ).toEqual([COPY, LONG].sort());
    expect((await pageOf("?cursor=bm90LWEtY3Vyc29y")).status).toBe(400);
    expect((await pageOf("?limit=0")).status).toBe(400);
    expect((await fetch(`${stack.baseUrl}/duplicates/never-uploaded.mp4`)).status).toBe(404);

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // The written copies are not in the bucket: their thumbnails are 404, as expected.
    const errors = collectErrors(page, "popular%2Fcopy-");
    await page.goto(`${siteUrl}/videos/${encodeURIComponent(ORIGINAL)}`);
    await page.locator("#status.status-done").waitFor({ timeout: 30_000 });
    await page.locator("#more").waitFor({ state: "visible", timeout: 30_000 });
    expect(await page.locator("#group").textContent()).toBe(`Duplicate group of 27 videos (the same footage); the earliest: ${ORIGINAL}`);
    expect(await page.locator("li.match").count()).toBe(20);
    expect(await page.locator("#more-count").textContent()).toBe("20 of 26 shown.");
    // Each shared stretch is drawn on both timelines and listed.
    const twice = page.locator("li.match", { hasText: "popular/copy-23.mp4" });
    expect(await twice.locator(".timeline .segment").count()).toBe(4);
    expect(await twice.getByText("this video: 0.0–16.0 s, 4.0–8.0 s").count()).toBe(1);
    expect(await twice.getByText("the other video: 0.0–16.0 s, 10.0–14.0 s").count()).toBe(1);
    await page.locator("#more-duplicates").click();
    await page.locator("#more").waitFor({ state: "hidden", timeout: 10_000 });
    expect(await page.locator("li.match").count()).toBe(26);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Every thumbnail of the duplicates on the page has loaded a picture. */
function thumbnailsLoaded(page: Page): Promise<boolean> {
  return page.locator("li.match img").evaluateAll((imgs) =>
    imgs.every((img) => {
      const image = img as unknown as { complete: boolean; naturalWidth: number };
      return image.complete && image.naturalWidth > 0;
    }),
  );
}

/** Elements wider than the window or than their own box (text that runs out of its card), by tag and class. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(`[document.documentElement, ...document.querySelectorAll("header, section, li, td, .label, figure")]
    .filter((el) => el.scrollWidth > Math.min(el.clientWidth, window.innerWidth) + 1)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))`);
}

/** Script errors, console errors and failed requests (a blocked stylesheet or script among them). */
function collectErrors(page: Page, notYetUploaded?: string): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (message) => {
    const expected = notYetUploaded !== undefined && message.text().includes("404") && message.location().url.includes(notYetUploaded);
    if (message.type() === "error" && !expected) errors.push(`${message.text()} (${message.location().url})`);
  });
  // ERR_ABORTED is the page itself cancelling a request (leaving the page, or closing a live stream that just ended);
  // a request the browser refused or could not make fails otherwise (ERR_BLOCKED_BY_CSP, ERR_CONNECTION_REFUSED…).
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "failed";
    if (reason !== "net::ERR_ABORTED") errors.push(`${request.url()}: ${reason}`);
  });
  return errors;
}
