/**
 * Who may do what over HTTP. Scopes separate reading statuses from seeing pictures (frames
 * of the videos: thumbnails, and the pages that show them) and from the metrics.
 */
export const SCOPES = ["status:read", "media:read", "metrics:read"] as const;
export type Scope = (typeof SCOPES)[number];

/** An authenticated caller: an API key's name or a token's subject, and what it may do. */
export interface Principal {
  readonly id: string;
  readonly scopes: ReadonlySet<Scope>;
}

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** The scopes named in a space- or comma-separated list (an OAuth `scope` claim, an API key's entry); others are ignored. */
export function parseScopes(list: string | readonly string[] | undefined): Set<Scope> {
  const names = typeof list === "string" ? list.split(/[\s,+]+/) : (list ?? []);
  return new Set(names.filter(isScope));
}
