import type { DuplicatePosition } from "../domain/match.js";

/**
 * The cursor of a page of duplicates: opaque to clients, a position in the list to the
 * service (the score and other video of the last entry shown). A position rather than an
 * offset: a page costs one index range scan however deep it is, and matches added meanwhile
 * do not shift the pages after them.
 */
export function encodeCursor(position: DuplicatePosition): string {
  return Buffer.from(JSON.stringify([position.score, position.otherVideoId])).toString("base64url");
}

/** What a cursor looks like (base64url, bounded): the request check and the OpenAPI document use it too. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The position a cursor names; undefined when the text is not a cursor this service made. */
export function decodeCursor(cursor: string): DuplicatePosition | undefined {
  if (!CURSOR_PATTERN.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [score, otherVideoId] = parsed as unknown[];
  if (typeof score !== "number" || !Number.isFinite(score) || typeof otherVideoId !== "string" || !UUID.test(otherVideoId))
    return undefined;
  return { score, otherVideoId };
}
