-- How fast a video plays the footage it shares with the other (1: the same speed).
ALTER TABLE "match" ADD COLUMN "rate" DOUBLE PRECISION NOT NULL DEFAULT 1;
