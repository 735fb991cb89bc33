/** What a result event reports (src/results/result-event.ts has its payload). */
export const RESULT_EVENT_TYPES = [
  /** The analysis of a version ended `done`. */
  "analysis.done",
  /** The analysis of a version ended `failed`. */
  "analysis.failed",
  /** A later upload was found to share footage with this (finished) video. */
  "duplicates.added",
] as const;
export type ResultEventType = (typeof RESULT_EVENT_TYPES)[number];

/** Where result events go: an SQS queue, an SNS topic, or an HTTPS webhook. Self-describing, stored with each delivery. */
export type ResultDestination = `sqs:${string}` | `sns:${string}` | `webhook:${string}`;

export function destinationKind(destination: ResultDestination): "sqs" | "sns" | "webhook" {
  return destination.slice(0, destination.indexOf(":")) as "sqs" | "sns" | "webhook";
}
