-- AlterTable
ALTER TABLE "Comment" ADD COLUMN     "lastEditedAt" TIMESTAMP(3);
