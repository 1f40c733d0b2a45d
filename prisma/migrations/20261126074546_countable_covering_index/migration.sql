-- DropIndex
DROP INDEX "Submission_countable_idx";

-- CreateIndex
CREATE INDEX "Submission_countable_idx" ON "Submission"("indicatorId", "countryId", "referenceYear", "sourceKey", "version" DESC, "status", "sourceTypeId", "residenceCriterion", "countableSince", "id");
