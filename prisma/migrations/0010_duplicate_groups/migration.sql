-- Duplicate groups: a video and its whole copies share one group id (src/store/group-rows.ts).
ALTER TABLE "video" ADD COLUMN "group_id" UUID;
CREATE INDEX "video_group_id_num_idx" ON "video"("group_id", "num");

-- A video's strongest matches first, then the pages after them (keyset on score, other video).
CREATE INDEX "match_video_id_score_other_video_id_idx" ON "match"("video_id", "score" DESC, "other_video_id");
