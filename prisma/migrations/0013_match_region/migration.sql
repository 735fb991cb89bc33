-- Where each video's picture was found when it fills only part of the other's frame (an
-- inset, a caption layout, a vertical repost's band): x0, y0, x1, y1 as shares of the frame.
ALTER TABLE "match" ADD COLUMN "region" DOUBLE PRECISION[], ADD COLUMN "other_region" DOUBLE PRECISION[];
