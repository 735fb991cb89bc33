-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('pending', 'analyzing', 'done', 'failed');

-- CreateEnum
CREATE TYPE "MatchKind" AS ENUM ('identical', 'near_duplicate', 'partial');

-- CreateTable
CREATE TABLE "video" (
    "id" UUID NOT NULL,
    "bucket" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "etag" TEXT,
    "size_bytes" BIGINT,
    "sha256" CHAR(64),
    "duration_sec" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "fps" DOUBLE PRECISION,
    "codec" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "video_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job" (
    "id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'pending',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "message_id" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scene_cut" (
    "video_id" UUID NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "time_sec" DOUBLE PRECISION NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "scene_cut_pkey" PRIMARY KEY ("video_id","ordinal")
);

-- CreateTable
CREATE TABLE "match" (
    "video_id" UUID NOT NULL,
    "other_video_id" UUID NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "kind" "MatchKind" NOT NULL,
    "offset_sec" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "match_pkey" PRIMARY KEY ("video_id","other_video_id")
);

-- CreateIndex
CREATE INDEX "video_sha256_idx" ON "video"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "video_bucket_key_key" ON "video"("bucket", "key");

-- CreateIndex
CREATE UNIQUE INDEX "job_video_id_key" ON "job"("video_id");

-- CreateIndex
CREATE INDEX "scene_cut_time_sec_idx" ON "scene_cut"("time_sec");

-- CreateIndex
CREATE INDEX "match_other_video_id_idx" ON "match"("other_video_id");

-- AddForeignKey
ALTER TABLE "job" ADD CONSTRAINT "job_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scene_cut" ADD CONSTRAINT "scene_cut_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "match" ADD CONSTRAINT "match_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "match" ADD CONSTRAINT "match_other_video_id_fkey" FOREIGN KEY ("other_video_id") REFERENCES "video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

