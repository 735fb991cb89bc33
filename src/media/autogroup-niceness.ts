import { writeFileSync } from "node:fs";

/** Sets a process's autogroup niceness; throws the system error (EAGAIN, ENOENT, …). */
export type AutogroupWriter = (pid: number, niceness: number) => void;

const writeAutogroup: AutogroupWriter = (pid, niceness) => writeFileSync(`/proc/${pid}/autogroup`, String(niceness));

/** The kernel refuses a second autogroup change within 100 ms (HZ / 10) to an unprivileged caller. */
export const AUTOGROUP_RETRY_MS = 110;

/**
 * Gives detached children's autogroups their niceness. Linux with autogroup scheduling shares
 * the CPU between sessions first, and a detached child leads its own: without this, its
 * niceness would count only against its own threads. Without CAP_SYS_ADMIN (the service's
 * usual user), the kernel allows one such change per 100 ms, system-wide, and answers EAGAIN
 * to the rest; children spawned together (the probe and the decode segments) wait their turn,
 * in spawn order.
 */
export class AutogroupNiceness {
  private readonly waiting: { readonly pid: number; readonly niceness: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Whether the pid is still our child: an ended one is skipped (its pid may be reused). */
    private readonly isLive: (pid: number) => boolean,
    private readonly write: AutogroupWriter = writeAutogroup,
  ) {}

  apply(pid: number, niceness: number): void {
    this.waiting.push({ pid, niceness });
    if (!this.timer) this.drain();
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const { pid, niceness } = this.waiting[0]!;
      if (this.isLive(pid) && !this.tryWrite(pid, niceness)) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain();
        }, AUTOGROUP_RETRY_MS);
        this.timer.unref();
        return;
      }
      this.waiting.shift();
    }
  }

  /** False when the kernel said "not now". */
  private tryWrite(pid: number, niceness: number): boolean {
    try {
      this.write(pid, niceness);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") return false;
      // no autogroups here (the process niceness is all there is), or the process already ended
    }
    return true;
  }
}
