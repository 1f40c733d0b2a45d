-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN     "leaseEndsAt" TIMESTAMP(3);

-- Attempts written before this column said "no outcome yet" with this error text and a duration of 0. An attempt has
-- no outcome while it has neither an HTTP status nor an error; these are given a lease that ended at their claim, so
-- they read as interrupted, and one in flight during the upgrade reads so until its send writes its outcome.
UPDATE "DeliveryAttempt" SET "leaseEndsAt" = "at", error = NULL
WHERE error = 'interrupted: the sending hub process stopped before an answer' AND "durationMs" = 0;
