/**
 * One catalogue of coded errors. The code is stable: it is stored with a failed job, shown in
 * the status snapshot and logged. `permanent` errors are about the upload itself and end the
 * job; transient ones are about infrastructure and send the message back to the queue.
 */
export const ERROR_CATALOGUE = {
  NOT_A_VIDEO: { permanent: true, message: "The object has no video stream." },
  CORRUPT_MEDIA: { permanent: true, message: "The object could not be read as media." },
  OBJECT_NOT_FOUND: { permanent: true, message: "The object no longer exists in the bucket." },
  OBJECT_TOO_LARGE: { permanent: true, message: "The object exceeds the configured size limit." },
  MEDIA_LIMIT_EXCEEDED: { permanent: true, message: "The video's resolution or duration exceeds the configured limits." },
  ANALYSIS_TIMEOUT: { permanent: true, message: "The analysis took longer than its time limit." },
  ANALYSIS_FAILED: { permanent: true, message: "The analysis process failed." },
  STORAGE_UNAVAILABLE: { permanent: false, message: "The object store could not be reached." },
  DATABASE_UNAVAILABLE: { permanent: false, message: "The database could not be reached." },
  QUEUE_UNAVAILABLE: { permanent: false, message: "The queue could not be reached." },
  SHUTTING_DOWN: { permanent: false, message: "The service is shutting down." },
  LEASE_LOST: { permanent: false, message: "Another worker took the job over after this worker's lease expired." },
  JOB_BUSY: { permanent: false, message: "Another worker is analysing an older version of the object; this one will be retried." },
} as const satisfies Record<string, { permanent: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class InspectorError extends Error {
  readonly permanent: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "InspectorError";
    this.permanent = ERROR_CATALOGUE[code].permanent;
  }
}

export function isPermanent(err: unknown): err is InspectorError {
  return err instanceof InspectorError && err.permanent;
}

/** A short, log-safe description of any thrown value (never a stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
