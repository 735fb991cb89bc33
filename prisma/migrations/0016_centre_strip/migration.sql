-- A landscape video's centre strip: the frame hashes of the part a 9:16 centre crop keeps
-- (src/fingerprint/centre-strip.ts); null: not landscape, or analysed before this column.
-- Its index rows live in frame_index with negative samples (−1 − sample).
ALTER TABLE "video" ADD COLUMN "strip_signature" BYTEA;
