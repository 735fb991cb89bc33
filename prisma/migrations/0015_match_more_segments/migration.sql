-- Further footage a pair shares at other alignments (a compilation that uses the other video
-- twice): [start, end] pairs flattened, in this video and in the other, one pair per segment.
ALTER TABLE "match" ADD COLUMN "more_segments" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
  ADD COLUMN "more_other_segments" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[];
