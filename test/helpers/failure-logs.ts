import { beforeEach } from "vitest";
import { launchedServiceLogs, readLogs } from "./stack.js";

/**
 * When a test fails, print what every service of its file logged during that test: CI keeps
 * only the test output, and a timeout with no logs cannot be diagnosed afterwards.
 */
const TAIL_LINES = 40;

beforeEach(({ onTestFailed }) => {
  const startedAt = Date.now();
  onTestFailed(async () => {
    for (const name of launchedServiceLogs) {
      const lines = (await readLogs(name).catch(() => [])).filter((line) => Number(line.time) >= startedAt);
      const tail = lines
        .slice(-TAIL_LINES)
        .map(
          ({ time, level, msg, pid: _pid, hostname: _host, ...fields }) =>
            `  ${new Date(Number(time)).toISOString().slice(11, 23)} ${level} ${msg} ${JSON.stringify(fields).slice(0, 300)}`,
        );
      if (tail.length > 0)
        console.error(`--- last ${tail.length} of ${lines.length} lines service "${name}" logged during this test ---\n${tail.join("\n")}`);
    }
  });
});
