/** Canaries for the attack suite: they notice what the service must never do. */
import { execFileSync } from "node:child_process";
import { open } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** A local HTTP listener that records every request made to it (it must get none). */
export class CanaryListener {
  readonly requests: string[] = [];
  private readonly server = http.createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "image/png" }).end("canary");
  });

  static async start(): Promise<CanaryListener> {
    const canary = new CanaryListener();
    await new Promise<void>((resolve) => canary.server.listen(0, "127.0.0.1", resolve));
    return canary;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(pathname: string): string {
    return `http://127.0.0.1:${this.port}${pathname}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * A host file that must never be opened: a FIFO. Opening it for writing completes only when
 * some process opens it for reading, so `opened` turns true the moment ffmpeg (or anything)
 * opens it. `stop` opens it for reading itself to release the waiting writer.
 */
export class CanaryFile {
  opened = false;
  private constructor(readonly path: string) {}

  static create(dir: string): CanaryFile {
    const file = path.join(dir, "host-secret");
    execFileSync("mkfifo", [file]);
    const canary = new CanaryFile(file);
    void open(file, "w").then(
      async (handle) => {
        canary.opened = true;
        await handle.close();
      },
      () => {},
    );
    return canary;
  }

  /** Releases the writer that waits for a reader (so the test process can exit). */
  async stop(): Promise<boolean> {
    const opened = this.opened;
    if (!opened) await (await open(this.path, "r")).close();
    return opened;
  }
}
