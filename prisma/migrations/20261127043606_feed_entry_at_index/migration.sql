-- CreateIndex
CREATE INDEX "FeedEntry_at_idx" ON "FeedEntry"("at");
