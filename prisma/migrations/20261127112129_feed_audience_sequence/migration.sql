-- Each audience's own sequence (1, 2, 3… per audience, in the order of the global sequence), so that a caller who
-- reads one audience sees no gap where the other audience's changes were written.
-- AlterTable
ALTER TABLE "FeedEntry" ADD COLUMN     "audienceSequence" BIGINT;

-- Backfill: number the existing entries of each audience in commit (global sequence) order.
UPDATE "FeedEntry" f SET "audienceSequence" = n.n
FROM (SELECT sequence, row_number() OVER (PARTITION BY audience ORDER BY sequence) AS n FROM "FeedEntry") n
WHERE n.sequence = f.sequence;

ALTER TABLE "FeedEntry" ALTER COLUMN "audienceSequence" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "FeedEntry_audience_audienceSequence_key" ON "FeedEntry"("audience", "audienceSequence");

-- The feed writers (src/submissions/changes.ts) draw audienceSequence themselves, in their INSERT, under the feed's
-- lock. An entry inserted without one (by hand: a repair, a test planting entries) takes its audience's next number,
-- after the rows the same statement inserted before it.
CREATE FUNCTION "feed_audience_sequence"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."audienceSequence" IS NULL THEN
    SELECT coalesce(max(f."audienceSequence"), 0) + 1 INTO NEW."audienceSequence"
    FROM "FeedEntry" f WHERE f.audience = NEW.audience;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "feed_audience_sequence" BEFORE INSERT ON "FeedEntry"
  FOR EACH ROW EXECUTE FUNCTION "feed_audience_sequence"();

-- Webhooks count in the published feed's own sequence, as their bodies do: each webhook's cursor becomes the number
-- of the last published entry at or below it, each delivery's entry its number (deliveries are of published entries
-- only); through negative numbers, so that no two deliveries of a webhook ever hold one number.
UPDATE "Webhook" w SET cursor = coalesce((SELECT max(f."audienceSequence") FROM "FeedEntry" f
  WHERE f.audience = 'PUBLISHED' AND f.sequence <= w.cursor), 0);
UPDATE "WebhookDelivery" d SET sequence = -f."audienceSequence" FROM "FeedEntry" f
  WHERE f.sequence = d.sequence AND f.audience = 'PUBLISHED';
UPDATE "WebhookDelivery" SET sequence = -sequence WHERE sequence < 0;
