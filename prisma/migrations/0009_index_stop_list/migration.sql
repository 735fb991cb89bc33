-- The stop-list of keys found in too many index rows: searches record them, every replica skips them.
CREATE TABLE "index_stop_key" (
    "key" INTEGER NOT NULL,
    "noted_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "index_stop_key_pkey" PRIMARY KEY ("key")
);
