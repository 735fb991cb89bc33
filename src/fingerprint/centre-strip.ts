import { contentRect, FRAME_SIZE, hashRegion, type Hash64, type Rect } from "./frame-hash.js";
import type { FrameRegion } from "../domain/match.js";

/**
 * A vertical repost often crops a landscape picture to a phone's 9:16 frame around its middle.
 * The crop keeps a third of a 16:9 picture's width, so no hash of the whole picture sees it:
 * a landscape video also stores the hash of its **centre strip** (the part such a crop keeps,
 * hashed as if it filled the frame), and a portrait upload looks its own pictures up among
 * those strips. Pure.
 */
export const PHONE_ASPECT = 9 / 16;
/** A picture this much wider than tall (width / height) is worth a centre strip: 4:3 and wider. */
const MIN_LANDSCAPE_ASPECT = 1.3;
/** An upload this narrow (width / height) is searched as a crop of a landscape picture. */
export const MAX_CROP_ASPECT = 0.7;
/**
 * Crops are rarely exactly centred. The query's own picture is also hashed shifted by these
 * shares of its width, each hash's window staying inside its frame (HASH_MARGIN is 0.15): a
 * crop up to about 5 % of a 16:9 picture's width off centre then has a window within 0.8 % of it.
 */
export const CROP_SHIFTS: readonly number[] = [-0.15, -0.1, -0.05, 0.05, 0.1, 0.15];

/**
 * The strip a PHONE_ASPECT crop keeps of the middle of a frame's picture (the frame less its
 * black borders), in FRAME_SIZE pixels; undefined unless the picture is landscape enough.
 * `aspect` is the frame's width over its height.
 */
export function centreStrip(content: Rect, aspect: number): Rect | undefined {
  const width = content.x1 - content.x0;
  const height = content.y1 - content.y0;
  // The grid squeezes the frame into a square: a grid pixel is `aspect` times wider than tall.
  const pictureAspect = (aspect * width) / height;
  if (!(pictureAspect >= MIN_LANDSCAPE_ASPECT)) return undefined;
  const stripWidth = (height * PHONE_ASPECT) / aspect;
  const middle = (content.x0 + content.x1) / 2;
  return { x0: middle - stripWidth / 2, y0: content.y0, x1: middle + stripWidth / 2, y1: content.y1 };
}

/** The hash of a landscape frame's centre strip (undefined: no strip, or no picture in it). */
export function hashCentreStrip(gray: Uint8Array, aspect: number, size = FRAME_SIZE): Hash64 | undefined {
  const strip = centreStrip(contentRect(gray, size), aspect);
  return strip && hashRegion(gray, strip, size);
}

/**
 * A portrait frame's picture hashed shifted by `shift` of its width (CROP_SHIFTS): where a
 * landscape original's strip hash would see it if the crop was taken that far off centre.
 */
export function hashShifted(gray: Uint8Array, shift: number, size = FRAME_SIZE): Hash64 | undefined {
  const content = contentRect(gray, size);
  const dx = (content.x1 - content.x0) * shift;
  return hashRegion(gray, { ...content, x0: content.x0 + dx, x1: content.x1 + dx }, size);
}

/** Whether a frame of this aspect stores a centre strip, and whether one of it is searched as a crop. */
export const storesCentreStrip = (aspect: number | undefined) => aspect !== undefined && aspect >= MIN_LANDSCAPE_ASPECT;
export const searchedAsCrop = (aspect: number | undefined) => aspect !== undefined && aspect > 0 && aspect <= MAX_CROP_ASPECT;

/**
 * Where in a landscape frame (`aspect`: width / height; null: taken as 16:9) the crop a
 * portrait picture matched as, shifted by `shift` of its width, was taken from.
 */
export function cropOfStrip(aspect: number | null, shift: number): FrameRegion {
  const width = PHONE_ASPECT / (aspect ?? 16 / 9);
  const middle = 0.5 - shift * width;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return [round(middle - width / 2), 0, round(middle + width / 2), 1];
}
