import { describe, expect, it } from "vitest";
import { FRAME_SIZE, hammingDistance, hashFrames, hashRegion, type Rect } from "../../../src/fingerprint/frame-hash.js";
import { cornerInset } from "../../../src/fingerprint/corner-inset.js";
import { FingerprintBuilder } from "../../../src/fingerprint/fingerprint-builder.js";
import {
  cutRegion,
  INSET_SAMPLES,
  MAX_INSET_SAMPLES,
  movingRegion,
  pictureRegions,
  portraitBand,
  REGION_SAMPLES,
} from "../../../src/fingerprint/picture-region.js";
import { refineEdges } from "../../../src/fingerprint/region-edges.js";

const S = FRAME_SIZE;

/** A picture that changes with `t`: soft blobs drifting across it. */
const picture = (t: number) => (x: number, y: number) =>
  128 + 60 * Math.sin((x + 3 * t) / 5) * Math.cos((y - 2 * t) / 7) + 40 * Math.sin((x * y) / 300 + t);

type Picture = (x: number, y: number) => number;
/** A frame: `outer` everywhere (luma by position) except `inside`, which shows `inner` scaled into it. */
function framed(inside: Rect, inner: Picture, outer: Picture): Uint8Array {
  const gray = new Uint8Array(S * S);
  for (let y = 0; y < S; y += 1) {
    for (let x = 0; x < S; x += 1) {
      const within = x >= inside.x0 && x < inside.x1 && y >= inside.y0 && y < inside.y1;
      const u = ((x - inside.x0) / (inside.x1 - inside.x0)) * S;
      const v = ((y - inside.y0) / (inside.y1 - inside.y0)) * S;
      gray[y * S + x] = Math.max(0, Math.min(255, Math.round(within ? inner(u, v) : outer(x, y))));
    }
  }
  return gray;
}
/** `picture(t)` in `inside`, over a still frame. */
const composed = (t: number, inside: Rect, still: Picture) => framed(inside, picture(t), still);
const frames = (inside: Rect, still: (x: number, y: number) => number) =>
  Array.from({ length: REGION_SAMPLES }, (_, t) => composed(t, inside, still));
const template = (x: number, y: number) => 90 + ((x * 7 + y * 3) % 50);
const white = () => 235;

describe("movingRegion", () => {
  it("finds an inset over a still frame (a reaction channel's layout)", () => {
    const inset = { x0: 30, y0: 34, x1: 62, y1: 62 };
    expect(movingRegion(frames(inset, template))).toEqual(inset);
    expect(pictureRegions(frames(inset, template), 16 / 9)).toEqual([{ rect: inset, stillAround: true }]);
  });

  it("finds the picture between still caption bars (a meme layout)", () => {
    const between = { x0: 0, y0: 12, x1: S, y1: 58 };
    expect(movingRegion(frames(between, white))).toEqual(between);
  });

  it("finds nothing in footage that moves everywhere, or nowhere, or only in a corner the size of a logo", () => {
    const whole = { x0: 0, y0: 0, x1: S, y1: S };
    expect(movingRegion(frames(whole, white))).toBeUndefined();
    expect(movingRegion(Array.from({ length: 10 }, () => composed(0, whole, white)))).toBeUndefined();
    expect(movingRegion(frames({ x0: 50, y0: 2, x1: 62, y1: 10 }, template))).toBeUndefined();
  });
});

/** Footage with cuts: scene k's picture is shifted and brightened by k, cutting at the given samples. */
const cutting =
  (cuts: readonly number[]) =>
  (t: number): Picture => {
    const scene = cuts.filter((c) => t >= c).length;
    return (x, y) => (scene % 2 ? 255 - picture(t + 40 * scene)(y, x) : picture(t + 40 * scene)(x, y));
  };

describe("cutRegion", () => {
  it("finds an inset over moving footage at two of its cuts, where the footage goes on", () => {
    const inset = { x0: 26, y0: 4, x1: 62, y1: 40 };
    const content = cutting([12, 27]);
    const footage = (t: number) => (x: number, y: number) => picture(t / 3)(x * 2, y * 2);
    const frames = Array.from({ length: REGION_SAMPLES }, (_, t) => framed(inset, content(t), footage(t)));
    expect(cutRegion(frames)).toEqual(inset);
  });

  it("finds nothing where cuts change the whole frame", () => {
    const whole = Array.from({ length: REGION_SAMPLES }, (_, t) => framed({ x0: 0, y0: 0, x1: S, y1: S }, cutting([12, 27])(t), white));
    expect(cutRegion(whole)).toBeUndefined();
  });
});

describe("cornerInset", () => {
  const inset = { x0: 34, y0: 2, x1: 62, y1: 30 };
  /** Footage drifting `pace` times slower than `cutting`'s, cutting at the given samples. */
  const slow = (cuts: number[], pace: number) => (t: number) => cutting(cuts.map((c) => c / pace))(t / pace);
  /** Slow footage whose cuts change its brightness (every pixel changes at once). */
  const brightening =
    (cuts: number[]) =>
    (t: number): Picture =>
    (x, y) =>
      picture(t / 3)(x, y) + (cuts.filter((c) => t >= c).length % 2) * 70;
  /** Footage of its own in the corner, over other moving footage; each cuts at the samples given. */
  const pip = (backgroundCuts: number[], insetCuts: number[] = []) => {
    const [background, content] = [slow(backgroundCuts, 4), brightening(insetCuts)];
    return Array.from({ length: INSET_SAMPLES }, (_, t) => framed(inset, content(t), background(t)));
  };
  const within1px = (found: Rect | undefined) =>
    found !== undefined && (["x0", "y0", "x1", "y1"] as const).every((side) => Math.abs(found[side] - inset[side]) <= 1);

  it("finds an inset over moving footage from the background's cuts alone (the inset itself never cuts)", () => {
    const frames = pip([20, 50]);
    expect(cutRegion(frames.slice(0, REGION_SAMPLES))).toBeUndefined();
    expect(within1px(cornerInset(frames))).toBe(true);
  });

  it("finds it from the inset's own cuts while the footage around it drifts", () => {
    expect(within1px(cornerInset(pip([], [12, 36])))).toBe(true);
  });

  it("finds nothing in footage whose cuts change the whole frame, nor from one cut alone", () => {
    const whole = Array.from({ length: INSET_SAMPLES }, (_, t) => framed({ x0: 0, y0: 0, x1: S, y1: S }, cutting([20, 50])(t), white));
    expect(cornerInset(whole)).toBeUndefined();
    expect(cornerInset(pip([20]))).toBeUndefined();
  });

  it("is searched as a region of a landscape upload once INSET_SAMPLES have arrived, and never in a portrait one", () => {
    const frames = pip([20, 50]);
    const regionsOf = (aspect: number) => {
      const builder = new FingerprintBuilder();
      builder.setFrameAspect(aspect);
      frames.forEach((gray, index) => builder.addSample(index, gray));
      return builder.regionSignatures();
    };
    const [found, ...others] = regionsOf(16 / 9);
    expect(others).toEqual([]);
    expect(found!.signature).toHaveLength(INSET_SAMPLES);
    expect(found!.region.map((share) => share * S)).toEqual(Object.values(cornerInset(frames)!));
    expect(regionsOf(9 / 16).some(({ region }) => region[0] > 0.4)).toBe(false);
  });

  it("is looked for again every INSET_SAMPLES while none shows, up to MAX_INSET_SAMPLES", () => {
    const regionsAfter = (backgroundCuts: number[], length: number, look: (builder: FingerprintBuilder, index: number) => void) => {
      const background = slow(backgroundCuts, 4);
      const builder = new FingerprintBuilder();
      builder.setFrameAspect(16 / 9);
      for (let t = 0; t < length; t += 1) {
        builder.addSample(t, framed(inset, brightening([])(t), background(t)));
        look(builder, t);
      }
      builder.finish();
      return builder.regionSignatures();
    };
    // The background cuts only after the first look (a slow opening shot).
    const [found] = regionsAfter([100, 130], MAX_INSET_SAMPLES, (builder, t) => {
      if (t === INSET_SAMPLES) expect(builder.regionSignatures()).toEqual([]);
    });
    expect(within1px(found && { x0: found.region[0] * S, y0: found.region[1] * S, x1: found.region[2] * S, y1: found.region[3] * S })).toBe(
      true,
    );
    expect(found!.signature).toHaveLength(MAX_INSET_SAMPLES);
    // Cuts after the last look are not looked at.
    expect(regionsAfter([MAX_INSET_SAMPLES + 10, MAX_INSET_SAMPLES + 40], MAX_INSET_SAMPLES + 80, () => {})).toEqual([]);
  });
});

describe("portraitBand", () => {
  it("is the band a 16:9 picture fills across a 9:16 frame, and nothing for a landscape frame", () => {
    const band = portraitBand(9 / 16)!;
    expect(band.x0).toBe(0);
    expect(band.x1).toBe(S);
    expect((band.y1 - band.y0) / S).toBeCloseTo((9 / 16) ** 2, 6);
    expect((band.y0 + band.y1) / 2).toBeCloseTo(S / 2, 6);
    expect(portraitBand(16 / 9)).toBeUndefined();
    expect(portraitBand(1)).toBeUndefined();
  });
});

describe("pictureRegions", () => {
  it("leaves out the region the plain hash already sees (a picture between black bars) and keeps the band", () => {
    const letterboxed = frames({ x0: 0, y0: 10, x1: S, y1: 54 }, () => 16);
    expect(pictureRegions(letterboxed, 16 / 9)).toEqual([]);
    expect(pictureRegions(letterboxed, 9 / 16)).toEqual([{ rect: refineEdges(letterboxed, portraitBand(9 / 16)!), stillAround: false }]);
  });
});

describe("pictureRegions, in a portrait frame", () => {
  const band = portraitBand(9 / 16)!;
  /** A 9:16 repost: `content` in the band, `margin` pixels in from each side, over a moving fill much like its border. */
  const repost = (content: (t: number) => Picture, margin = 0) => {
    const inside = { x0: margin, y0: Math.round(band.y0), x1: S - margin, y1: Math.round(band.y1) };
    const fill =
      (t: number): Picture =>
      (x) =>
        62 + 8 * Math.sin((x + 3 * t) / 9);
    return Array.from({ length: REGION_SAMPLES }, (_, t) => framed(inside, content(t), fill(t)));
  };

  it("keeps the band's 16:9 shape where detail inside the picture steps harder than its borders", () => {
    // A picture with hard lines a few pixels inside its top and bottom.
    const portrait = repost((t) => (x, y) => (y > 12 && y < 52 ? 200 : 60) + 10 * Math.sin((x + 3 * t) / 5));
    const [region] = pictureRegions(portrait, 9 / 16).filter((r) => r.rect.x0 < 4 && r.rect.x1 > S - 4);
    const { x0, y0, x1, y1 } = region!.rect;
    expect((((x1 - x0) / (y1 - y0)) * (9 / 16)) / (16 / 9)).toBeCloseTo(1, 1);
    expect((y0 + y1) / 2).toBeCloseTo(S / 2, 0);
  });

  it("gives both sides the margin of the one that found its border (a repost centres a narrower picture)", () => {
    const margin = 3;
    // The picture's left half continues the fill (no step at its left border), its right half is bright.
    const frameX = (u: number) => margin + (u * (S - 2 * margin)) / S;
    const portrait = repost((t) => (u) => (u >= S / 2 ? 200 : 62 + 8 * Math.sin((frameX(u) + 3 * t) / 9)), margin);
    expect(refineEdges(portrait, band)).toMatchObject({ x0: 0, x1: S - margin });
    const [region] = pictureRegions(portrait, 9 / 16);
    expect(region!.rect).toMatchObject({ x0: margin, x1: S - margin });
  });
});

describe("hashRegion", () => {
  it("hashes a picture in a region of the frame as hashFrames hashes it filling the frame", () => {
    const inset = { x0: 28, y0: 30, x1: 62, y1: 62 };
    for (const t of [0, 5, 11]) {
      const alone = hashFrames(composed(t, { x0: 0, y0: 0, x1: S, y1: S }, white))!.hash;
      const inFrame = hashRegion(composed(t, inset, template), inset)!;
      expect(hammingDistance(alone, inFrame)).toBeLessThanOrEqual(6);
      expect(hammingDistance(alone, hashFrames(composed(t, inset, template))!.hash)).toBeGreaterThan(12);
    }
  });
});

describe("refineEdges", () => {
  it("moves a band's sides onto the border of a picture narrower than assumed, and leaves a right one", () => {
    const inset = { x0: 3, y0: 24, x1: 61, y1: 41 };
    const blurred: Picture = (x, y) => 120 + 10 * Math.sin((x + y) / 20);
    const frames = Array.from({ length: 12 }, (_, t) => framed(inset, picture(t), blurred));
    expect(refineEdges(frames, { x0: 0, y0: 22, x1: S, y1: 42 })).toEqual(inset);
    expect(refineEdges(frames, inset)).toEqual(inset);
  });
});
