-- Hash-partitions frame_index by key: the layout a key-distributed PostgreSQL (Citus) gives
-- the index, on one server. Run once, after `prisma migrate deploy`, with the service stopped
-- (it rewrites the table under an exclusive lock):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v partitions=16 -f prisma/sql/partition-frame-index.sql
-- The README ("The index at scale") says when this pays and when it does not.
\if :{?partitions}
\else
  \set partitions 16
\endif
BEGIN;
ALTER TABLE frame_index RENAME TO frame_index_unpartitioned;
ALTER INDEX frame_index_pkey RENAME TO frame_index_unpartitioned_pkey;
ALTER INDEX frame_index_video_num_idx RENAME TO frame_index_unpartitioned_video_num_idx;
CREATE TABLE frame_index (
    key INTEGER NOT NULL,
    video_num INTEGER NOT NULL,
    sample INTEGER NOT NULL,
    CONSTRAINT frame_index_pkey PRIMARY KEY (key, video_num, sample)
) PARTITION BY HASH (key);
-- Migration 0005's autovacuum settings, on each partition (a partitioned table has no storage of its own).
SELECT format('CREATE TABLE frame_index_p%s PARTITION OF frame_index FOR VALUES WITH (MODULUS %s, REMAINDER %s) '
              'WITH (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)', r, :partitions, r)
FROM generate_series(0, :partitions - 1) AS r
\gexec
CREATE INDEX frame_index_video_num_idx ON frame_index USING BRIN (video_num);
INSERT INTO frame_index SELECT key, video_num, sample FROM frame_index_unpartitioned ORDER BY key;
DROP TABLE frame_index_unpartitioned;
COMMIT;
ANALYZE frame_index;
