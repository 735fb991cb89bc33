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
