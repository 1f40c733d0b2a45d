-- CreateEnum
CREATE TYPE "FeedAudience" AS ENUM ('ALL_VERSIONS', 'PUBLISHED');

-- CreateTable
CREATE TABLE "FeedEntry" (
    "sequence" BIGSERIAL NOT NULL,
    "audience" "FeedAudience" NOT NULL,
    "countryId" INTEGER NOT NULL,
    "indicatorId" INTEGER NOT NULL,
    "referenceYear" INTEGER NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "submissionId" INTEGER,
    "status" "SubmissionStatus",
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FeedEntry_pkey" PRIMARY KEY ("sequence")
);

-- CreateIndex
CREATE INDEX "FeedEntry_countryId_indicatorId_referenceYear_sourceKey_aud_idx" ON "FeedEntry"("countryId", "indicatorId", "referenceYear", "sourceKey", "audience", "sequence" DESC);

-- CreateIndex
CREATE INDEX "FeedEntry_audience_sequence_idx" ON "FeedEntry"("audience", "sequence");

-- Backfill: the feed of a hub that already holds data starts with its current state, so that replaying the feed
-- from the start gives what a full download gives (CONTRACT §10).
INSERT INTO "FeedEntry" ("audience", "countryId", "indicatorId", "referenceYear", "sourceKey", "submissionId", "status")
SELECT * FROM (
  SELECT DISTINCT ON (s."indicatorId", s."countryId", s."referenceYear", s."sourceKey")
    'ALL_VERSIONS'::"FeedAudience", s."countryId", s."indicatorId", s."referenceYear", s."sourceKey", s.id, s.status
  FROM "Submission" s WHERE s.status IN ('VALIDATED', 'PUBLISHED')
  ORDER BY s."indicatorId", s."countryId", s."referenceYear", s."sourceKey", s.version DESC
) a
UNION ALL
SELECT * FROM (
  SELECT DISTINCT ON (s."indicatorId", s."countryId", s."referenceYear", s."sourceKey")
    'PUBLISHED'::"FeedAudience", s."countryId", s."indicatorId", s."referenceYear", s."sourceKey", s.id, s.status
  FROM "Submission" s WHERE s.status = 'PUBLISHED'
  ORDER BY s."indicatorId", s."countryId", s."referenceYear", s."sourceKey", s.version DESC
) p;
