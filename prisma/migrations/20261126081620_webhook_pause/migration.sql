-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN     "pausedAt" TIMESTAMP(3);
