import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP proxy in front of moto that answers chosen requests with an S3-style 503 SlowDown
 * (throttling, a transient error), and forwards everything else untouched.
 */
export class HttpFaultProxy {
  private failuresLeft = 0;
  private matches: (req: http.IncomingMessage) => boolean = () => false;
  failed = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(target: string): Promise<HttpFaultProxy> {
    const upstream = new URL(target);
    let proxy: HttpFaultProxy | undefined;
    const server = http.createServer((req, res) => {
      if (proxy && proxy.failuresLeft > 0 && proxy.matches(req)) {
        proxy.failuresLeft -= 1;
        proxy.failed += 1;
        req.resume();
        res.writeHead(503, { "content-type": "application/xml" });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`,
        );
        return;
      }
      const forwarded = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on("error", () => res.destroy());
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new HttpFaultProxy(server);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `count` requests that match fail with 503. */
  failNext(count: number, matches: (req: http.IncomingMessage) => boolean): void {
    this.failuresLeft = count;
    this.matches = matches;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
