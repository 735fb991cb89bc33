-- Matches found through a video's mirror image: one video is the other flipped left to right.
ALTER TABLE "match" ADD COLUMN "flipped" BOOLEAN NOT NULL DEFAULT false;
