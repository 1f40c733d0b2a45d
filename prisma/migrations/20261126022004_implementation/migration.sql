-- CreateEnum
CREATE TYPE "AdoptionReviewStatus" AS ENUM ('CONFIRMED', 'DISPUTED');

-- CreateEnum
CREATE TYPE "FrameworkArea" AS ENUM ('TF1_DATA_AND_INDICATORS', 'TF2_CONCEPTS_AND_DEFINITIONS', 'TF4_DATA_SOURCES', 'CROSS_CUTTING');

-- CreateEnum
CREATE TYPE "CommentStatus" AS ENUM ('OPEN', 'RESOLVED');

-- AlterEnum
ALTER TYPE "AdoptionStatus" ADD VALUE 'NOT_APPLICABLE';

-- AlterTable
ALTER TABLE "Comment" ADD COLUMN     "adoptionId" INTEGER,
ADD COLUMN     "authorTokenId" INTEGER,
ADD COLUMN     "countryId" INTEGER,
ADD COLUMN     "dataSourceId" INTEGER,
ADD COLUMN     "dueDate" TIMESTAMP(3),
ADD COLUMN     "resolvedAt" TIMESTAMP(3),
ADD COLUMN     "resolvedBy" TEXT,
ADD COLUMN     "status" "CommentStatus" NOT NULL DEFAULT 'OPEN',
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL;

-- AlterTable
ALTER TABLE "Indicator" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Recommendation" ADD COLUMN     "area" "FrameworkArea",
ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "provisionalFields" TEXT[],
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "RecommendationAdoption" ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "evidenceUrl" TEXT,
ADD COLUMN     "reportedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "reportedBy" TEXT NOT NULL,
ADD COLUMN     "reportedByTokenId" INTEGER,
ADD COLUMN     "reviewComment" TEXT,
ADD COLUMN     "reviewStatus" "AdoptionReviewStatus",
ADD COLUMN     "reviewedAt" TIMESTAMP(3),
ADD COLUMN     "reviewedBy" TEXT,
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "since" INTEGER;

-- AlterTable
ALTER TABLE "Topic" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Variable" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "RecommendationIndicator" (
    "recommendationId" INTEGER NOT NULL,
    "indicatorId" INTEGER NOT NULL,

    CONSTRAINT "RecommendationIndicator_pkey" PRIMARY KEY ("recommendationId","indicatorId")
);

-- CreateTable
CREATE TABLE "RecommendationConcept" (
    "recommendationId" INTEGER NOT NULL,
    "conceptId" INTEGER NOT NULL,

    CONSTRAINT "RecommendationConcept_pkey" PRIMARY KEY ("recommendationId","conceptId")
);

-- CreateTable
CREATE TABLE "AdoptionChange" (
    "id" SERIAL NOT NULL,
    "adoptionId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "AdoptionStatus" NOT NULL,
    "since" INTEGER,
    "note" TEXT,
    "evidenceUrl" TEXT,
    "reviewStatus" "AdoptionReviewStatus",
    "reviewComment" TEXT,
    "actor" TEXT NOT NULL,
    "tokenId" INTEGER,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdoptionChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecommendationIndicator_indicatorId_idx" ON "RecommendationIndicator"("indicatorId");

-- CreateIndex
CREATE INDEX "RecommendationConcept_conceptId_idx" ON "RecommendationConcept"("conceptId");

-- CreateIndex
CREATE INDEX "AdoptionChange_recordedAt_idx" ON "AdoptionChange"("recordedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AdoptionChange_adoptionId_revision_key" ON "AdoptionChange"("adoptionId", "revision");

-- CreateIndex
CREATE INDEX "Comment_dataSourceId_idx" ON "Comment"("dataSourceId");

-- CreateIndex
CREATE INDEX "Comment_adoptionId_idx" ON "Comment"("adoptionId");

-- CreateIndex
CREATE INDEX "Comment_countryId_status_idx" ON "Comment"("countryId", "status");

-- CreateIndex
CREATE INDEX "Comment_status_dueDate_idx" ON "Comment"("status", "dueDate");

-- CreateIndex
CREATE INDEX "Recommendation_position_idx" ON "Recommendation"("position");

-- AddForeignKey
ALTER TABLE "RecommendationIndicator" ADD CONSTRAINT "RecommendationIndicator_recommendationId_fkey" FOREIGN KEY ("recommendationId") REFERENCES "Recommendation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationIndicator" ADD CONSTRAINT "RecommendationIndicator_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationConcept" ADD CONSTRAINT "RecommendationConcept_recommendationId_fkey" FOREIGN KEY ("recommendationId") REFERENCES "Recommendation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationConcept" ADD CONSTRAINT "RecommendationConcept_conceptId_fkey" FOREIGN KEY ("conceptId") REFERENCES "Concept"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdoptionChange" ADD CONSTRAINT "AdoptionChange_adoptionId_fkey" FOREIGN KEY ("adoptionId") REFERENCES "RecommendationAdoption"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_dataSourceId_fkey" FOREIGN KEY ("dataSourceId") REFERENCES "DataSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_adoptionId_fkey" FOREIGN KEY ("adoptionId") REFERENCES "RecommendationAdoption"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE CASCADE ON UPDATE CASCADE;
