-- CreateTable
CREATE TABLE "DataVersion" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "DataVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataVersionBump" (
    "txid" BIGINT NOT NULL,

    CONSTRAINT "DataVersionBump_pkey" PRIMARY KEY ("txid")
);

-- The data version (src/platform/data-version.ts): every transaction that writes a table whose content a read can
-- show raises it by one, in its own commit, whichever path wrote (API, CLI, imports, migrations). One rule in the
-- database rather than a call in every writer, so that no writer can forget it.
INSERT INTO "DataVersion" ("id", "version") VALUES (1, 0);

-- Statement level: one call per writing statement, however many rows it wrote (an import's bulk insert costs one).
-- The first call of a transaction enters it in DataVersionBump; the others only compare a setting. The setting and
-- the row roll back together with the savepoint or transaction that wrote them.
CREATE FUNCTION "data_version_touch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('migstat.data_version_txid', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('migstat.data_version_txid', txid_current()::text, true);
    INSERT INTO "DataVersionBump" ("txid") VALUES (txid_current()) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- Deferred to the commit: the one row of DataVersion is locked from here to the end of the commit only, so
-- concurrent writers (two imports, an import and a catalogue edit) do not wait for each other's whole transaction.
-- Taken after the change feed's advisory lock (src/submissions/changes.ts takes it as a writer's last step), in the
-- same order by every writer: no deadlock. Not a SEQUENCE: nextval is not transactional, and a reader could see a
-- new number before the data committed with it, and cache the old data under it.
-- The notification (sent at the commit) tells an embedded PGlite's one process the new version without a query.
CREATE FUNCTION "data_version_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
  UPDATE "DataVersion" SET "version" = "version" + 1 WHERE "id" = 1 RETURNING "version" INTO v;
  DELETE FROM "DataVersionBump" WHERE "txid" = NEW."txid";
  PERFORM pg_notify('migstat_data_version', v::text);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER "data_version_commit" AFTER INSERT ON "DataVersionBump"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "data_version_bump"();

-- Every table but: the migrations' bookkeeping, the version's own tables, and webhook delivery state, which the
-- delivery worker writes every second and no cached read shows (src/http/response-cache.ts never caches Webhook,
-- WebhookDelivery or DeliveryAttempt). A table created by a later migration needs the same trigger
-- (test/http/data-version.test.ts lists any that lacks it).
DO $$
DECLARE t text;
BEGIN
  FOR t IN
    SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
      AND c.relname NOT IN ('_prisma_migrations', 'DataVersion', 'DataVersionBump', 'Webhook', 'WebhookDelivery',
        'DeliveryAttempt')
  LOOP
    EXECUTE format('CREATE TRIGGER "data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
      'FOR EACH STATEMENT EXECUTE FUNCTION "data_version_touch"()', t);
  END LOOP;
END $$;
