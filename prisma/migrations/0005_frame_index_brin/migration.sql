-- DropIndex
DROP INDEX "frame_index_video_num_idx";
-- CreateIndex
CREATE INDEX "frame_index_video_num_idx" ON "frame_index" USING BRIN ("video_num");
