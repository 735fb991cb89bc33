import { assertServiceConfig, loadConfig, ConfigError } from "./config.js";
import { createLogger } from "./logger.js";
import { createService } from "./service.js";

/** Process entry point: validated config, the service, and signal handling. */
let config;
try {
  config = loadConfig();
  assertServiceConfig(config);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}

const log = createLogger(config.LOG_LEVEL);
const service = createService(config, log);
await service.start();

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ event: "service.stopping", signal }, "shutting down");
    service.stop().then(
      () => {
        log.info({ event: "service.stopped" }, "shutdown complete");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ event: "service.stop_failed", err }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
