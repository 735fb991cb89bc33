import { createHmac } from "node:crypto";

/** The headers of a signed webhook request (README "Result events" shows a receiver's check). */
export const SIGNATURE_HEADERS = {
  eventId: "tvidz-event-id",
  timestamp: "tvidz-timestamp",
  signature: "tvidz-signature",
} as const;

/**
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, one per secret (comma-separated): during a
 * rotation the old and the new secret both sign, and a receiver accepts either.
 */
export function signatureHeader(secrets: readonly string[], timestampSec: number, body: string): string {
  return secrets.map((secret) => `v1=${createHmac("sha256", secret).update(`${timestampSec}.${body}`).digest("hex")}`).join(",");
}
