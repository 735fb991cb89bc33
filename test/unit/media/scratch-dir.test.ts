import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OWN_SCRATCH_PREFIX, ScratchDir, sweepOrphanedScratch } from "../../../src/media/scratch-dir.js";

describe("scratch directories of dead workers", () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), "scratch-sweep-"));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  const make = async (name: string) => {
    await mkdir(path.join(parent, name));
    await writeFile(path.join(parent, name, "object"), "downloaded bytes");
  };

  it("removes this host's directories whose process is gone or whose pid is now this process's, and nothing else", async () => {
    const deadPid = spawnSync("true").pid; // exited and reaped
    const livePid = process.ppid;
    await make(`${OWN_SCRATCH_PREFIX}${deadPid}-aaaaaa`);
    await make(`${OWN_SCRATCH_PREFIX}${livePid}-bbbbbb`);
    // A predecessor with the same pid (a restarted container's worker): it cannot be this process's own job, none has run yet.
    await make(`${OWN_SCRATCH_PREFIX}${process.pid}-cccccc`);
    await make(`tvidz-another-host-${deadPid}-dddddd`);
    await make("unrelated");

    const removed = await sweepOrphanedScratch(parent);

    expect(removed.sort()).toEqual([`${OWN_SCRATCH_PREFIX}${deadPid}-aaaaaa`, `${OWN_SCRATCH_PREFIX}${process.pid}-cccccc`].sort());
    expect((await readdir(parent)).sort()).toEqual(
      [`${OWN_SCRATCH_PREFIX}${livePid}-bbbbbb`, `tvidz-another-host-${deadPid}-dddddd`, "unrelated"].sort(),
    );
  });

  it("names a job's directory after this host and process, so that a later worker can tell whose it is", async () => {
    const scratch = await ScratchDir.create(parent);
    const [name] = await readdir(parent);
    expect(name?.startsWith(`${OWN_SCRATCH_PREFIX}${process.pid}-`)).toBe(true);
    expect(scratch.objectPath).toBe(path.join(parent, name!, "object"));
    await scratch.remove();
    expect(await readdir(parent)).toEqual([]);
  });
});
