-- DropIndex
DROP INDEX "frame_index_video_num_idx";
-- CreateIndex
CREATE INDEX "frame_index_video_num_idx" ON "frame_index" USING BRIN ("video_num");
-- Lookups are index-only scans, which skip the heap only for pages the visibility map marks
-- all-visible. An insert-only table is vacuumed after 20 % growth by default; at 1 % the
-- map keeps up with new rows.
ALTER TABLE "frame_index" SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
