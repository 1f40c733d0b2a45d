-- CreateIndex
CREATE INDEX "Submission_countable_idx" ON "Submission"("indicatorId", "countryId", "referenceYear", "sourceKey", "version" DESC);
