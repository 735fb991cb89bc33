-- AlterTable
ALTER TABLE "video" ADD COLUMN     "num" SERIAL NOT NULL,
ADD COLUMN     "sample_rate" DOUBLE PRECISION,
ADD COLUMN     "signature" BYTEA;

-- AlterTable
ALTER TABLE "match" ADD COLUMN     "other_end" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "other_start" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "segment_end" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "segment_start" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "frame_index" (
    "key" INTEGER NOT NULL,
    "video_num" INTEGER NOT NULL,
    "sample" INTEGER NOT NULL,

    CONSTRAINT "frame_index_pkey" PRIMARY KEY ("key","video_num","sample")
);

-- CreateIndex
CREATE INDEX "frame_index_video_num_idx" ON "frame_index"("video_num");

-- CreateIndex
CREATE UNIQUE INDEX "video_num_key" ON "video"("num");

