-- AlterTable
ALTER TABLE "AccountEntry" ADD COLUMN     "publishedValue" DOUBLE PRECISION;

-- Entries published so far: their value is the published one.
UPDATE "AccountEntry" SET "publishedValue" = "value" WHERE "status" = 'PUBLISHED';
