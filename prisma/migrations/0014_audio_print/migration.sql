-- The soundtrack's Chromaprint items (4 bytes each, src/fingerprint/audio-print.ts); null: no audio.
ALTER TABLE "video" ADD COLUMN "audio_print" BYTEA;
-- What a match rests on: the picture alone, or the picture with the soundtrack agreeing along it.
CREATE TYPE "MatchEvidence" AS ENUM ('picture', 'both');
ALTER TABLE "match" ADD COLUMN "evidence" "MatchEvidence" NOT NULL DEFAULT 'picture';
