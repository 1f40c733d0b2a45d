-- Population-account entries get a publication state of their own (CONTRACT §7: accounts follow the visible-versions
-- rule). Entries that exist already were readable by everyone until now, so they become PUBLISHED (hiding them now
-- would un-publish data portals already hold). New entries default to SUBMITTED, as submissions do.
-- (No semicolons in these comments: the PostgreSQL adapter splits the script on them.)

-- AlterTable
ALTER TABLE "AccountEntry" ADD COLUMN     "status" "SubmissionStatus" NOT NULL DEFAULT 'PUBLISHED';
ALTER TABLE "AccountEntry" ALTER COLUMN "status" SET DEFAULT 'SUBMITTED';

-- CreateIndex
CREATE INDEX "AccountEntry_status_idx" ON "AccountEntry"("status");
