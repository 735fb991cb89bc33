-- The result outbox: an event is written in the transaction that commits the result it
-- reports, one row per destination, and deleted once delivered (src/store/result-outbox.ts).
CREATE TABLE "result_delivery" (
    "event_id" UUID NOT NULL,
    "destination" TEXT NOT NULL,
    "video_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "parked_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "result_delivery_pkey" PRIMARY KEY ("event_id","destination")
);

CREATE INDEX "result_delivery_next_attempt_at_idx" ON "result_delivery"("next_attempt_at");
CREATE INDEX "result_delivery_video_id_idx" ON "result_delivery"("video_id");
ALTER TABLE "result_delivery" ADD CONSTRAINT "result_delivery_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;
