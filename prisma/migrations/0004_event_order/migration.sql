-- AlterTable
ALTER TABLE "video" ADD COLUMN     "event_order" TEXT;
