import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * A job's scratch directory is named after the host and the process that owns it:
 * `tvidz-<host>-<pid>-XXXXXX`. A worker that dies without cleaning up (kill -9, the OOM
 * killer) leaves its directory, with a download of up to MAX_OBJECT_BYTES, behind; the next
 * worker to start on the same host removes it (sweepOrphanedScratch). The host part keeps one
 * container's workers off another's directories when they share TMP_DIR: pids mean nothing
 * across pid namespaces.
 */
export const OWN_SCRATCH_PREFIX = `tvidz-${os.hostname().replace(/[^A-Za-z0-9.-]/g, "_")}-`;

/**
 * The job's scratch directory, removed once: as soon as the download is no longer needed and
 * always before a terminal status, so a job that reads as done or failed has left nothing on
 * disk; and at the end whatever happened.
 */
export class ScratchDir {
  private removal: Promise<void> | undefined;

  private constructor(private readonly dir: string) {}

  static async create(parent: string): Promise<ScratchDir> {
    return new ScratchDir(await mkdtemp(path.join(parent, `${OWN_SCRATCH_PREFIX}${process.pid}-`)));
  }

  /** Where the object is downloaded to. */
  get objectPath(): string {
    return path.join(this.dir, "object");
  }

  remove(): Promise<void> {
    return (this.removal ??= rm(this.dir, { recursive: true, force: true }));
  }
}

/**
 * Removes the scratch directories of this host's workers that have died: their pid is gone,
 * or it is this process's own pid (a restarted container's worker often gets its
 * predecessor's). Called once at start-up, before any job runs. Returns the removed names.
 */
export async function sweepOrphanedScratch(parent: string, isAlive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const orphaned = (await readdir(parent)).filter((name) => {
    if (!name.startsWith(OWN_SCRATCH_PREFIX)) return false;
    const pid = Number(/^(\d+)-/.exec(name.slice(OWN_SCRATCH_PREFIX.length))?.[1]);
    return Number.isInteger(pid) && pid > 0 && (pid === process.pid || !isAlive(pid));
  });
  await Promise.all(orphaned.map((name) => rm(path.join(parent, name), { recursive: true, force: true })));
  return orphaned;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
