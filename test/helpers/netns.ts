import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A second host on this machine: a network namespace joined to this one by a veth pair, so
 * that a client inside it reaches the service at a private, non-loopback address, as a
 * colleague's browser on the LAN does.
 */
export interface RemoteHost {
  /** This machine's address as seen from the namespace (the service must listen on it). */
  readonly serviceAddress: string;
  /** An executable that runs `program` inside the namespace with the arguments it is given. */
  wrap(program: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createRemoteHost(): Promise<RemoteHost> {
  const id = `${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
  const ns = `tvidz-${id}`;
  const [hostSide, nsSide] = [`tvh${id}`, `tvn${id}`];
  const subnet = `10.${(process.pid % 200) + 20}.${Math.floor(Math.random() * 250)}`;
  const serviceAddress = `${subnet}.1`;
  const dir = await mkdtemp(path.join(os.tmpdir(), "netns-"));
  const ip = (...args: string[]) => run("ip", args);
  await ip("netns", "add", ns);
  try {
    await ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
    await ip("link", "set", nsSide, "netns", ns);
    await ip("addr", "add", `${serviceAddress}/30`, "dev", hostSide);
    await ip("link", "set", hostSide, "up");
    await ip("netns", "exec", ns, "ip", "addr", "add", `${subnet}.2/30`, "dev", nsSide);
    await ip("netns", "exec", ns, "ip", "link", "set", nsSide, "up");
    await ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
  } catch (err) {
    await ip("netns", "del", ns).catch(() => undefined);
    throw err;
  }
  return {
    serviceAddress,
    async wrap(program) {
      const file = path.join(dir, path.basename(program));
      await writeFile(file, `#!/bin/sh\nexec ip netns exec ${ns} ${program} "$@"\n`);
      await chmod(file, 0o755);
      return file;
    },
    async remove() {
      await ip("link", "del", hostSide).catch(() => undefined);
      await ip("netns", "del", ns).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
