-- AlterTable
ALTER TABLE "video" ADD COLUMN     "format_name" TEXT;

