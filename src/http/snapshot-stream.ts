import type { Request, Response } from "express";
import type { StatusService } from "../status/status-service.js";
import type { StatusSnapshot } from "../status/snapshot.js";
import { isTerminal as isTerminalStatus } from "../domain/job.js";
import { objectParam, sendError } from "./schemas.js";

export interface SnapshotStreamOptions {
  /** Concurrent streams this process serves; past it, 503. */
  readonly maxStreams: number;
  /** How often each stream looks for a new snapshot (reads share the status cache). */
  readonly pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  readonly heartbeatMs: number;
  /** A stream ends (event `end`, reason `lifetime`) after this long; clients reconnect. */
  readonly maxLifetimeMs: number;
}

type EndReason = "terminal" | "shutdown" | "client gone" | "lifetime";

const isTerminal = (snapshot: StatusSnapshot) => isTerminalStatus(snapshot.status);

/**
 * GET /status/stream/:file as Server-Sent Events: the current snapshot at once, then every
 * new one (progress, cuts, a duplicate found), a heartbeat comment, and an `end` event after
 * a terminal state. Snapshots come from the database through the status service (every
 * replica sees every change), so a stream polls rather than subscribes.
 */
export class SnapshotStreams {
  /** How to end each open stream. */
  private readonly open = new Set<() => void>();

  constructor(
    private readonly status: StatusService,
    private readonly options: SnapshotStreamOptions,
  ) {}

  get openCount(): number {
    return this.open.size;
  }

  readonly handle = async (req: Request<{ file: string[] }>, res: Response): Promise<void> => {
    const ref = objectParam(req, res, this.status);
    if (ref === undefined) return;
    if (this.open.size >= this.options.maxStreams) {
      res.set("retry-after", "5");
      return sendError(
        res,
        "TOO_MANY_STREAMS",
        `this replica serves at most ${this.options.maxStreams} live streams; poll GET /status/:file instead`,
      );
    }
    // The slot is taken and the client watched before the first await: a burst of requests
    // cannot pass the cap together, and a client that leaves early frees its slot.
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    const end = (reason: EndReason) => {
      if (ended) return;
      ended = true;
      for (const timer of timers) clearTimeout(timer);
      this.open.delete(onShutdown);
      if (res.headersSent && !res.writableEnded) res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    };
    const onShutdown = () => end("shutdown");
    this.open.add(onShutdown);
    res.on("close", () => end("client gone"));

    let first: StatusSnapshot | undefined;
    try {
      first = await this.status.get(ref.key, ref.bucket);
    } catch (err) {
      end("client gone");
      throw err;
    }
    if (ended) return;
    if (!first) {
      end("client gone");
      return sendError(res, "NOT_FOUND");
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    let last = "";
    const send = (snapshot: StatusSnapshot) => {
      const data = JSON.stringify(snapshot);
      if (data === last) return;
      last = data;
      res.write(`event: snapshot\ndata: ${data}\n\n`);
    };
    timers.push(
      setInterval(() => {
        this.status.get(ref.key, ref.bucket).then(
          (snapshot) => {
            if (!snapshot || ended) return;
            send(snapshot);
            if (isTerminal(snapshot)) end("terminal");
          },
          () => {}, // a failed read is retried on the next tick
        );
      }, this.options.pollMs),
      setInterval(() => res.write(": heartbeat\n\n"), this.options.heartbeatMs),
      // A stream ends after its lifetime; EventSource reconnects by itself.
      setTimeout(() => end("lifetime"), this.options.maxLifetimeMs),
    );
    send(first);
    if (isTerminal(first)) end("terminal");
  };

  /** Ends every open stream with an `end` event (on shutdown). */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}
