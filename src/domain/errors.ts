/**
 * One catalogue of coded errors. The code is stable: it is stored with a failed job, shown in
 * the status snapshot, logged, and sent in HTTP error bodies with the entry's status.
 * `permanent` errors are about the upload (or the request) itself: retrying cannot help, so a
 * job ends `failed`. Transient ones are about infrastructure: the message goes back to the queue.
 */
export const ERROR_CATALOGUE = {
  // A job's outcome: stored with the failed job and shown in its snapshot.
  NOT_A_VIDEO: { permanent: true, httpStatus: 422, message: "The object has no video stream." },
  CORRUPT_MEDIA: { permanent: true, httpStatus: 422, message: "The object could not be read as media." },
  OBJECT_NOT_FOUND: { permanent: true, httpStatus: 404, message: "The object no longer exists in the bucket." },
  OBJECT_TOO_LARGE: { permanent: true, httpStatus: 413, message: "The object exceeds the configured size limit." },
  MEDIA_LIMIT_EXCEEDED: { permanent: true, httpStatus: 422, message: "The video's resolution or duration exceeds the configured limits." },
  ANALYSIS_TIMEOUT: { permanent: true, httpStatus: 422, message: "The analysis took longer than its time limit." },
  ANALYSIS_FAILED: { permanent: true, httpStatus: 422, message: "The analysis process failed." },
  INTERNAL_ERROR: { permanent: true, httpStatus: 500, message: "The service failed unexpectedly; the failure was logged." },
  // Infrastructure: transient, retried.
  STORAGE_UNAVAILABLE: { permanent: false, httpStatus: 503, message: "The object store could not be reached." },
  DATABASE_UNAVAILABLE: { permanent: false, httpStatus: 503, message: "The database could not be reached." },
  QUEUE_UNAVAILABLE: { permanent: false, httpStatus: 503, message: "The queue could not be reached." },
  MEDIA_TOOL_UNAVAILABLE: { permanent: false, httpStatus: 503, message: "ffmpeg or ffprobe could not be started." },
  SHUTTING_DOWN: { permanent: false, httpStatus: 503, message: "The service is shutting down." },
  LEASE_LOST: {
    permanent: false,
    httpStatus: 409,
    message: "This worker no longer holds the job: another worker took it over after its lease expired, or the object was deleted.",
  },
  JOB_BUSY: {
    permanent: false,
    httpStatus: 409,
    message: "Another worker is analysing an older version of the object; this one will be retried.",
  },
  // Requests: sent only as HTTP error bodies.
  INVALID_KEY: { permanent: true, httpStatus: 400, message: "The object key is invalid." },
  INVALID_REQUEST: { permanent: true, httpStatus: 400, message: "The request could not be understood." },
  NOT_FOUND: { permanent: true, httpStatus: 404, message: "No such object in the bucket." },
  ROUTE_NOT_FOUND: { permanent: true, httpStatus: 404, message: "No such route." },
  METHOD_NOT_ALLOWED: { permanent: true, httpStatus: 405, message: "This route answers GET and HEAD only." },
  UNAUTHENTICATED: {
    permanent: true,
    httpStatus: 401,
    message: "Credentials are missing or not valid: an API key or a bearer token, or a session from /session.",
  },
  FORBIDDEN: { permanent: true, httpStatus: 403, message: "These credentials do not grant this scope." },
  RATE_LIMITED: { permanent: false, httpStatus: 429, message: "Too many requests from this client; slow down." },
  PAYLOAD_TOO_LARGE: { permanent: true, httpStatus: 413, message: "Requests carry no body here." },
  TOO_MANY_STREAMS: { permanent: false, httpStatus: 503, message: "This replica serves no more live streams right now." },
  THUMBNAILS_BUSY: { permanent: false, httpStatus: 503, message: "Every thumbnail worker is busy; try again shortly." },
} as const satisfies Record<string, { permanent: boolean; httpStatus: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as readonly ErrorCode[];

export class InspectorError extends Error {
  readonly permanent: boolean;
  readonly httpStatus: number;
  /** When a retry can succeed at the earliest (JOB_BUSY: when the other worker's lease ends). */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = "InspectorError";
    this.permanent = ERROR_CATALOGUE[code].permanent;
    this.httpStatus = ERROR_CATALOGUE[code].httpStatus;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A fenced write found that the job is no longer this worker's (its lease was taken over). */
export class LeaseLostError extends InspectorError {
  constructor(jobId: string) {
    super("LEASE_LOST", `Job ${jobId} is no longer held by this worker: taken over after its lease expired, or its object was deleted.`);
  }
}

export function isPermanent(err: unknown): err is InspectorError {
  return err instanceof InspectorError && err.permanent;
}

/**
 * Not an InspectorError: nothing classified it, so it is a bug (a programmer error), not a
 * fault of the upload or of the infrastructure.
 */
export function isUnexpected(err: unknown): boolean {
  return !(err instanceof InspectorError);
}

/** A short, log-safe description of any thrown value (never a stack). */
export function describeError(err: unknown): string {
  if (err instanceof InspectorError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
