import type { z } from "zod";
import type { ObjectChange } from "../domain/object-event.js";

/** What a queue message says, whichever route it took from S3. */
export type ParsedMessage =
  | { readonly kind: "test-event"; readonly bucket: string | undefined }
  | { readonly kind: "changes"; readonly changes: readonly ObjectChange[]; readonly ignoredRecords: number };

export class MessageParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MessageParseError";
  }
}

/** A payload that is not `what`, named by the first thing wrong with it. */
export function notA(what: string, error: z.ZodError): MessageParseError {
  const first = error.issues[0];
  return new MessageParseError(`not ${what} (${first?.path.join(".") || "body"}: ${first?.message ?? "invalid"})`);
}
