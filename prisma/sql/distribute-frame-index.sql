-- Distributes the index over Citus workers by key. Run once on the coordinator, after
-- `prisma migrate deploy` and after the workers were added (citus_add_node):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v shards=32 -f prisma/sql/distribute-frame-index.sql
-- frame_index is split into `shards` shards by hash of key (existing rows move to the workers);
-- the stop-list is copied to every node, since every search reads it; every other table stays
-- on the coordinator. The README ("The index at scale") gives sizing and rebalancing.
\if :{?shards}
\else
  \set shards 32
\endif
CREATE EXTENSION IF NOT EXISTS citus;
SELECT create_distributed_table('frame_index', 'key', shard_count => :shards);
SELECT create_reference_table('index_stop_key');
