-- DropIndex
DROP INDEX "Submission_countryId_status_idx";

-- CreateIndex
CREATE INDEX "Submission_countryId_status_id_idx" ON "Submission"("countryId", "status", "id");

-- CreateIndex
CREATE INDEX "Submission_dataSourceId_status_id_idx" ON "Submission"("dataSourceId", "status", "id");
