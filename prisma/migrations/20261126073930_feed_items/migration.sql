-- AlterTable
ALTER TABLE "FeedEntry" ADD COLUMN     "itemId" INTEGER,
ADD COLUMN     "itemType" TEXT,
ALTER COLUMN "countryId" DROP NOT NULL,
ALTER COLUMN "indicatorId" DROP NOT NULL,
ALTER COLUMN "referenceYear" DROP NOT NULL,
ALTER COLUMN "sourceKey" DROP NOT NULL;

-- An entry is about a series key or an item, never both nor neither.
ALTER TABLE "FeedEntry" ADD CONSTRAINT "FeedEntry_series_or_item" CHECK (
  ("itemType" IS NULL AND "itemId" IS NULL AND "countryId" IS NOT NULL AND "indicatorId" IS NOT NULL
    AND "referenceYear" IS NOT NULL AND "sourceKey" IS NOT NULL)
  OR ("itemType" IS NOT NULL AND "itemId" IS NOT NULL AND "countryId" IS NULL AND "indicatorId" IS NULL
    AND "referenceYear" IS NULL AND "sourceKey" IS NULL AND "submissionId" IS NULL AND "status" IS NULL));
