import net from "node:net";

/**
 * A TCP proxy the test controls, put between the service and a real dependency (moto,
 * PostgreSQL). `cut()` makes the dependency vanish as a stopped server would (open
 * connections reset, new ones refused); `restore()` brings it back on the same port;
 * `stallAfterBytes` makes each connection go silent, open, after that many bytes of answer.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Bytes each connection passes from the target before it stalls (Infinity: never). */
  stallAfterBytes = Infinity;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private listenPort: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target.host, target.port, 0);
    await proxy.restore();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Rewrites a URL's host and port to go through this proxy. */
  url(original: string): string {
    const url = new URL(original);
    url.hostname = "127.0.0.1";
    url.port = String(this.listenPort);
    return url.toString().replace(/\/$/, "");
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      // Answers pass until `stallAfterBytes` have gone down this connection, then no byte more (the
      // connection stays open: a stalled download, a frozen endpoint).
      let sent = 0;
      upstream.on("data", (chunk: Buffer) => {
        if (sent >= this.stallAfterBytes) return;
        const room = this.stallAfterBytes - sent;
        sent += chunk.length;
        client.write(chunk.length > room ? chunk.subarray(0, room) : chunk);
      });
      upstream.on("end", () => {
        if (sent < this.stallAfterBytes) client.end();
      });
    });
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(this.listenPort, "127.0.0.1", resolve));
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
