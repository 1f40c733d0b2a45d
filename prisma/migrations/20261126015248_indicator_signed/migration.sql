-- AlterTable
ALTER TABLE "Indicator" ADD COLUMN     "signed" BOOLEAN NOT NULL DEFAULT false;
