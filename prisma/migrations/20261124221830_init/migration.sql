-- CreateEnum
CREATE TYPE "BuildingBlock" AS ENUM ('IMMIGRATION_FLOW', 'EMIGRATION_FLOW', 'IMMIGRANT_STOCK', 'EMIGRANT_STOCK');

-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('CORE', 'ADDITIONAL');

-- CreateEnum
CREATE TYPE "IndicatorStatus" AS ENUM ('ACTIVE', 'RETIRED');

-- CreateEnum
CREATE TYPE "ResidenceCriterion" AS ENUM ('OPTION_I', 'OPTION_II', 'OTHER');

-- CreateEnum
CREATE TYPE "PopulationGroup" AS ENUM ('NATIVE_BORN_CITIZENS', 'NATIVE_BORN_FOREIGNERS', 'FOREIGN_BORN_CITIZENS', 'FOREIGN_BORN_FOREIGNERS');

-- CreateEnum
CREATE TYPE "Suitability" AS ENUM ('PRIMARY', 'SECONDARY', 'SUPPLEMENTARY');

-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED', 'REJECTED');

-- CreateEnum
CREATE TYPE "AccountComponent" AS ENUM ('OPENING_STOCK', 'BIRTHS', 'DEATHS', 'IMMIGRATION', 'EMIGRATION', 'CITIZENSHIP_ACQUIRED', 'CITIZENSHIP_LOST', 'CLOSING_STOCK');

-- CreateEnum
CREATE TYPE "RegionLevel" AS ENUM ('WORLD', 'REGION', 'SUB_REGION', 'INTERMEDIATE_REGION');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'TASK_FORCE', 'FOCAL_POINT', 'READER');

-- CreateEnum
CREATE TYPE "AdoptionStatus" AS ENUM ('NOT_STARTED', 'PLANNED', 'PARTIAL', 'IMPLEMENTED');

-- CreateTable
CREATE TABLE "Concept" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "term" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "framework" TEXT,
    "sourceUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Concept_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Topic" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "tier" "Tier" NOT NULL,
    "sourceUrl" TEXT,
    "provisionalFields" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Topic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Variable" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sourceUrl" TEXT,
    "codelist" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Variable_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VariableCode" (
    "id" SERIAL NOT NULL,
    "variableId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "VariableCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SourceType" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "measures" TEXT[],
    "strengths" TEXT[],
    "limitations" TEXT[],
    "sourceUrl" TEXT,
    "alsoUrls" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SourceType_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Indicator" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "unit" TEXT NOT NULL,
    "additive" BOOLEAN NOT NULL,
    "buildingBlock" "BuildingBlock",
    "tier" "Tier" NOT NULL,
    "status" "IndicatorStatus" NOT NULL DEFAULT 'ACTIVE',
    "provisionalFields" TEXT[],
    "sourceUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Indicator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndicatorTopic" (
    "indicatorId" INTEGER NOT NULL,
    "topicId" INTEGER NOT NULL,

    CONSTRAINT "IndicatorTopic_pkey" PRIMARY KEY ("indicatorId","topicId")
);

-- CreateTable
CREATE TABLE "IndicatorVariable" (
    "indicatorId" INTEGER NOT NULL,
    "variableId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "IndicatorVariable_pkey" PRIMARY KEY ("indicatorId","variableId")
);

-- CreateTable
CREATE TABLE "SdgIndicator" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "target" TEXT NOT NULL,

    CONSTRAINT "SdgIndicator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndicatorSdg" (
    "indicatorId" INTEGER NOT NULL,
    "sdgIndicatorId" INTEGER NOT NULL,

    CONSTRAINT "IndicatorSdg_pkey" PRIMARY KEY ("indicatorId","sdgIndicatorId")
);

-- CreateTable
CREATE TABLE "GcmObjective" (
    "id" SERIAL NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "shortName" TEXT,

    CONSTRAINT "GcmObjective_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndicatorGcm" (
    "indicatorId" INTEGER NOT NULL,
    "gcmObjectiveId" INTEGER NOT NULL,

    CONSTRAINT "IndicatorGcm_pkey" PRIMARY KEY ("indicatorId","gcmObjectiveId")
);

-- CreateTable
CREATE TABLE "IndicatorSourceType" (
    "id" SERIAL NOT NULL,
    "indicatorId" INTEGER NOT NULL,
    "sourceTypeId" INTEGER NOT NULL,
    "suitability" "Suitability" NOT NULL,
    "note" TEXT,
    "sourceUrl" TEXT,

    CONSTRAINT "IndicatorSourceType_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Recommendation" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "sourceUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Recommendation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecommendationAdoption" (
    "id" SERIAL NOT NULL,
    "recommendationId" INTEGER NOT NULL,
    "countryId" INTEGER NOT NULL,
    "status" "AdoptionStatus" NOT NULL,
    "note" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecommendationAdoption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Region" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" "RegionLevel" NOT NULL,
    "parentId" INTEGER,

    CONSTRAINT "Region_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegionMembership" (
    "regionId" INTEGER NOT NULL,
    "countryId" INTEGER NOT NULL,

    CONSTRAINT "RegionMembership_pkey" PRIMARY KEY ("regionId","countryId")
);

-- CreateTable
CREATE TABLE "Country" (
    "id" SERIAL NOT NULL,
    "m49" TEXT NOT NULL,
    "iso3" TEXT,
    "iso2" TEXT,
    "name" TEXT NOT NULL,
    "regionCode" TEXT,
    "subRegionCode" TEXT,
    "intermediateRegionCode" TEXT,
    "ldc" BOOLEAN NOT NULL DEFAULT false,
    "lldc" BOOLEAN NOT NULL DEFAULT false,
    "sids" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Country_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataSource" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "countryId" INTEGER NOT NULL,
    "sourceTypeId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "agency" TEXT,
    "periodicity" TEXT,
    "latestYear" INTEGER,
    "residenceCriterion" "ResidenceCriterion",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DataSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Submission" (
    "id" SERIAL NOT NULL,
    "countryId" INTEGER NOT NULL,
    "indicatorId" INTEGER NOT NULL,
    "referenceYear" INTEGER NOT NULL,
    "sourceTypeId" INTEGER,
    "dataSourceId" INTEGER,
    "sourceKey" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "SubmissionStatus" NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "residenceCriterion" "ResidenceCriterion",
    "unit" TEXT NOT NULL,
    "note" TEXT,
    "rejectionReason" TEXT,
    "countableSince" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Observation" (
    "id" SERIAL NOT NULL,
    "submissionId" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "dimensions" JSONB NOT NULL,
    "dimensionKey" TEXT NOT NULL,

    CONSTRAINT "Observation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubmissionEvent" (
    "id" SERIAL NOT NULL,
    "submissionId" INTEGER NOT NULL,
    "fromStatus" "SubmissionStatus",
    "toStatus" "SubmissionStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "tokenId" INTEGER,
    "comment" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SubmissionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Comment" (
    "id" SERIAL NOT NULL,
    "indicatorId" INTEGER,
    "submissionId" INTEGER,
    "author" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountEntry" (
    "id" SERIAL NOT NULL,
    "countryId" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "group" "PopulationGroup" NOT NULL,
    "component" "AccountComponent" NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccountEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "countryId" INTEGER,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "tokenId" INTEGER,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityKey" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Concept_code_key" ON "Concept"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Topic_code_key" ON "Topic"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Variable_code_key" ON "Variable"("code");

-- CreateIndex
CREATE UNIQUE INDEX "VariableCode_variableId_code_key" ON "VariableCode"("variableId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "SourceType_code_key" ON "SourceType"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Indicator_code_key" ON "Indicator"("code");

-- CreateIndex
CREATE INDEX "Indicator_tier_status_idx" ON "Indicator"("tier", "status");

-- CreateIndex
CREATE INDEX "IndicatorTopic_topicId_idx" ON "IndicatorTopic"("topicId");

-- CreateIndex
CREATE INDEX "IndicatorVariable_variableId_idx" ON "IndicatorVariable"("variableId");

-- CreateIndex
CREATE UNIQUE INDEX "SdgIndicator_code_key" ON "SdgIndicator"("code");

-- CreateIndex
CREATE INDEX "IndicatorSdg_sdgIndicatorId_idx" ON "IndicatorSdg"("sdgIndicatorId");

-- CreateIndex
CREATE UNIQUE INDEX "GcmObjective_number_key" ON "GcmObjective"("number");

-- CreateIndex
CREATE INDEX "IndicatorGcm_gcmObjectiveId_idx" ON "IndicatorGcm"("gcmObjectiveId");

-- CreateIndex
CREATE INDEX "IndicatorSourceType_sourceTypeId_idx" ON "IndicatorSourceType"("sourceTypeId");

-- CreateIndex
CREATE UNIQUE INDEX "IndicatorSourceType_indicatorId_sourceTypeId_key" ON "IndicatorSourceType"("indicatorId", "sourceTypeId");

-- CreateIndex
CREATE UNIQUE INDEX "Recommendation_code_key" ON "Recommendation"("code");

-- CreateIndex
CREATE INDEX "RecommendationAdoption_countryId_idx" ON "RecommendationAdoption"("countryId");

-- CreateIndex
CREATE UNIQUE INDEX "RecommendationAdoption_recommendationId_countryId_key" ON "RecommendationAdoption"("recommendationId", "countryId");

-- CreateIndex
CREATE UNIQUE INDEX "Region_code_key" ON "Region"("code");

-- CreateIndex
CREATE INDEX "Region_parentId_idx" ON "Region"("parentId");

-- CreateIndex
CREATE INDEX "RegionMembership_countryId_idx" ON "RegionMembership"("countryId");

-- CreateIndex
CREATE UNIQUE INDEX "Country_m49_key" ON "Country"("m49");

-- CreateIndex
CREATE UNIQUE INDEX "Country_iso3_key" ON "Country"("iso3");

-- CreateIndex
CREATE INDEX "Country_name_idx" ON "Country"("name");

-- CreateIndex
CREATE UNIQUE INDEX "DataSource_code_key" ON "DataSource"("code");

-- CreateIndex
CREATE INDEX "DataSource_countryId_sourceTypeId_idx" ON "DataSource"("countryId", "sourceTypeId");

-- CreateIndex
CREATE INDEX "DataSource_sourceTypeId_idx" ON "DataSource"("sourceTypeId");

-- CreateIndex
CREATE INDEX "Submission_indicatorId_status_referenceYear_idx" ON "Submission"("indicatorId", "status", "referenceYear");

-- CreateIndex
CREATE INDEX "Submission_countryId_status_idx" ON "Submission"("countryId", "status");

-- CreateIndex
CREATE INDEX "Submission_status_idx" ON "Submission"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Submission_countryId_indicatorId_referenceYear_sourceKey_ve_key" ON "Submission"("countryId", "indicatorId", "referenceYear", "sourceKey", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Observation_submissionId_dimensionKey_key" ON "Observation"("submissionId", "dimensionKey");

-- CreateIndex
CREATE INDEX "SubmissionEvent_submissionId_idx" ON "SubmissionEvent"("submissionId");

-- CreateIndex
CREATE INDEX "Comment_indicatorId_idx" ON "Comment"("indicatorId");

-- CreateIndex
CREATE INDEX "Comment_submissionId_idx" ON "Comment"("submissionId");

-- CreateIndex
CREATE UNIQUE INDEX "AccountEntry_countryId_year_group_component_key" ON "AccountEntry"("countryId", "year", "group", "component");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AuditLog_entityType_entityKey_idx" ON "AuditLog"("entityType", "entityKey");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- AddForeignKey
ALTER TABLE "VariableCode" ADD CONSTRAINT "VariableCode_variableId_fkey" FOREIGN KEY ("variableId") REFERENCES "Variable"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorTopic" ADD CONSTRAINT "IndicatorTopic_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorTopic" ADD CONSTRAINT "IndicatorTopic_topicId_fkey" FOREIGN KEY ("topicId") REFERENCES "Topic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorVariable" ADD CONSTRAINT "IndicatorVariable_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorVariable" ADD CONSTRAINT "IndicatorVariable_variableId_fkey" FOREIGN KEY ("variableId") REFERENCES "Variable"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorSdg" ADD CONSTRAINT "IndicatorSdg_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorSdg" ADD CONSTRAINT "IndicatorSdg_sdgIndicatorId_fkey" FOREIGN KEY ("sdgIndicatorId") REFERENCES "SdgIndicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorGcm" ADD CONSTRAINT "IndicatorGcm_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorGcm" ADD CONSTRAINT "IndicatorGcm_gcmObjectiveId_fkey" FOREIGN KEY ("gcmObjectiveId") REFERENCES "GcmObjective"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorSourceType" ADD CONSTRAINT "IndicatorSourceType_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IndicatorSourceType" ADD CONSTRAINT "IndicatorSourceType_sourceTypeId_fkey" FOREIGN KEY ("sourceTypeId") REFERENCES "SourceType"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationAdoption" ADD CONSTRAINT "RecommendationAdoption_recommendationId_fkey" FOREIGN KEY ("recommendationId") REFERENCES "Recommendation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationAdoption" ADD CONSTRAINT "RecommendationAdoption_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Region" ADD CONSTRAINT "Region_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Region"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegionMembership" ADD CONSTRAINT "RegionMembership_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegionMembership" ADD CONSTRAINT "RegionMembership_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSource" ADD CONSTRAINT "DataSource_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataSource" ADD CONSTRAINT "DataSource_sourceTypeId_fkey" FOREIGN KEY ("sourceTypeId") REFERENCES "SourceType"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_sourceTypeId_fkey" FOREIGN KEY ("sourceTypeId") REFERENCES "SourceType"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_dataSourceId_fkey" FOREIGN KEY ("dataSourceId") REFERENCES "DataSource"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Observation" ADD CONSTRAINT "Observation_submissionId_fkey" FOREIGN KEY ("submissionId") REFERENCES "Submission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubmissionEvent" ADD CONSTRAINT "SubmissionEvent_submissionId_fkey" FOREIGN KEY ("submissionId") REFERENCES "Submission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_submissionId_fkey" FOREIGN KEY ("submissionId") REFERENCES "Submission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountEntry" ADD CONSTRAINT "AccountEntry_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_countryId_fkey" FOREIGN KEY ("countryId") REFERENCES "Country"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
