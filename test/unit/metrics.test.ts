import { describe, expect, it } from "vitest";
import { ServiceMetrics } from "../../src/metrics.js";

describe("ServiceMetrics", () => {
  it("shows every documented label set at zero before anything happened, so dashboards see 0 and not 'no data'", async () => {
    const metrics = new ServiceMetrics({ breakerState: () => "closed", jobsByStatus: async () => ({}), parkedResults: async () => 0 });
    const text = await metrics.registry.metrics();
    for (const line of [
      'tvidz_child_process_kills_total{tool="ffmpeg",reason="timeout"} 0',
      'tvidz_child_process_kills_total{tool="ffprobe",reason="aborted"} 0',
      'tvidz_messages_total{decision="delete"} 0',
      'tvidz_messages_total{decision="retry"} 0',
      'tvidz_messages_total{decision="leave"} 0',
      'tvidz_internal_errors_total{stage="analysis"} 0',
      'tvidz_analysis_duration_seconds_count{outcome="failed"} 0',
      "tvidz_queue_receive_errors_total 0",
      'tvidz_jobs{status="pending"} 0',
      'tvidz_result_deliveries_total{destination="webhook",outcome="parked"} 0',
      "tvidz_result_events_parked 0",
    ]) {
      expect(text).toContain(line);
    }
  });
});
