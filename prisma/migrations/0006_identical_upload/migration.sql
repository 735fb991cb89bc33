-- A re-upload of the same bytes is recognised from S3's ETag and the size, before any
-- download (VideoRepository.findIdenticalUpload).
CREATE INDEX "video_etag_size_bytes_idx" ON "video"("etag", "size_bytes");
