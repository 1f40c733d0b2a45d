// The upgrade from the release of 2026-11-26 (cd36dad, migrations up to 20261126081620_webhook_pause) with data in
// it: a database migrated that far and filled by SQL as that release wrote its rows, then the hub's own migrate, then
// the API. What the later migrations backfill must arrive: Country.sortName (Åland among the A's), each feed
// audience's own numbering and the webhooks' cursors and deliveries in it, Submission.origin (UN DESA's versions are
// international estimates), AccountEntry.publishedValue; and a token made before still authenticates. Checked by hand
// on 2026-11-28 with that release's build over UN DESA's 1 602 submissions, 34 720 more and 73 453 feed entries on
// both databases; this keeps the path tested for the next migration.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashToken } from '../../src/access/tokens.js';
import { createApi } from '../../src/http/yoga.js';
import { loadConfig } from '../../src/platform/config.js';
import { migrate, migrationsDir, noFilters, readMigrations, withSchemaEngine } from '../../src/platform/migrate.js';
import { createDatabase, type TestDatabase } from '../support/db.js';
import { scratchDir } from '../support/scratch.js';

const RELEASE = '20261126081620_webhook_pause';
const ADMIN = 'msh_upgradeAdminTokenMadeBefore000000';
const UNDESA_NOTE =
  'UN DESA International Migrant Stock 2020 (POP/DB/MIG/Stock/Rev.2020); type of data: B (foreign-born)';

const scratch = scratchDir();
let db: TestDatabase;
let applied: string[];
let gql: (query: string, token?: string) => Promise<{ data?: Record<string, unknown>; errors?: unknown[] }>;
let dispose: () => Promise<void> | void;

beforeAll(async () => {
  db = await createDatabase('empty');
  // The release's migrations, as its folder held them.
  const dir = join(scratch, 'migrations');
  mkdirSync(dir);
  cpSync(join(migrationsDir, 'migration_lock.toml'), join(dir, 'migration_lock.toml'));
  for (const name of readdirSync(migrationsDir).filter((n) => n <= RELEASE && !n.endsWith('.toml')))
    cpSync(join(migrationsDir, name), join(dir, name), { recursive: true });
  // Each script as one query, as migrate() sends them (adapter-pg would split a function body on its semicolons).
  await withSchemaEngine(
    db.adapterFactory,
    (engine) => engine.applyMigrations({ migrationsList: readMigrations(dir), filters: noFilters }),
    () => {},
    { executeScript: (script) => db.executeScript(script) },
  );
  // Rows as that release wrote them (its columns only).
  const sql = (text: string) => db.prisma.$executeRawUnsafe(text);
  await sql(`INSERT INTO "Country" (id, m49, iso3, name, "updatedAt") VALUES
    (1, '756', 'CHE', 'Switzerland', now()), (2, '248', 'ALA', 'Åland Islands', now()),
    (3, '040', 'AUT', 'Austria', now()), (4, '384', 'CIV', 'Côte d''Ivoire', now())`);
  await sql(`INSERT INTO "Indicator" (id, code, name, unit, additive, tier, "updatedAt")
    VALUES (1, 'IMM_STOCK', 'Immigrant stock', 'PERSONS', true, 'CORE', now())`);
  // Switzerland's own census figure, and UN DESA's estimate for Austria as its importer wrote it.
  await sql(`INSERT INTO "Submission" (id, "countryId", "indicatorId", "referenceYear", "sourceKey", version, status,
      unit, note, "countableSince", "updatedAt") VALUES
    (1, 1, 1, 2020, '', 1, 'PUBLISHED', 'PERSONS', 'Census', now(), now()),
    (2, 3, 1, 2020, '', 1, 'PUBLISHED', 'PERSONS', '${UNDESA_NOTE}', now(), now()),
    (3, 1, 1, 2021, '', 1, 'DRAFT', 'PERSONS', NULL, NULL, now())`);
  await sql(`INSERT INTO "Observation" ("submissionId", value, dimensions, "dimensionKey")
    VALUES (1, 2500000, '{}', ''), (2, 1740000, '{}', ''), (3, 1, '{}', '')`);
  // One global sequence over both audiences: the draft (every version), then each published version twice.
  await sql(`INSERT INTO "FeedEntry" (sequence, audience, "countryId", "indicatorId", "referenceYear", "sourceKey",
      "submissionId", status) VALUES
    (1, 'ALL_VERSIONS', 1, 1, 2021, '', 3, 'DRAFT'),
    (2, 'ALL_VERSIONS', 1, 1, 2020, '', 1, 'PUBLISHED'), (3, 'PUBLISHED', 1, 1, 2020, '', 1, 'PUBLISHED'),
    (4, 'ALL_VERSIONS', 3, 1, 2020, '', 2, 'PUBLISHED'), (5, 'PUBLISHED', 3, 1, 2020, '', 2, 'PUBLISHED')`);
  await sql(`SELECT setval('"FeedEntry_sequence_seq"', 5)`);
  // A webhook that has been sent both published entries (its cursor and deliveries in the global sequence).
  await sql(`INSERT INTO "Webhook" (id, url, secret, cursor, "createdBy", "pausedAt")
    VALUES (1, 'https://portal.example/hook', 'a-secret-of-the-portal', 5, 'admin', now())`);
  await sql(`INSERT INTO "WebhookDelivery" ("webhookId", sequence, status, attempts, "deliveredAt")
    VALUES (1, 3, 'DELIVERED', 1, now()), (1, 5, 'DELIVERED', 1, now())`);
  await sql(`INSERT INTO "AccountEntry" ("countryId", year, "group", component, value, status, "updatedAt") VALUES
    (1, 2020, 'FOREIGN_BORN_FOREIGNERS', 'OPENING_STOCK', 300, 'PUBLISHED', now()),
    (1, 2020, 'FOREIGN_BORN_FOREIGNERS', 'IMMIGRATION', 50, 'DRAFT', now())`);
  await sql(`INSERT INTO "ApiToken" (name, role, "tokenHash", prefix)
    VALUES ('made before', 'ADMIN', '${hashToken(ADMIN)}', '${ADMIN.slice(0, 10)}')`);

  applied = await migrate(db);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const api = createApi({ config, db, logger: pino({ level: 'silent' }) });
  dispose = () => api.dispose();
  gql = async (query, token) =>
    (await (
      await api.fetch('http://hub.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      })
    ).json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}, 120_000);
afterAll(async () => {
  await dispose?.();
  await db?.close();
});

test("every later migration applies over the release's data", () => {
  const later = readMigrations().migrationDirectories.map((m) => m.path);
  expect(applied).toEqual(later.filter((name) => name > RELEASE));
  expect(applied.length).toBeGreaterThan(0);
});

test('a token made before authenticates; countries sort and match by their folded names', async () => {
  expect(await gql('{ viewer { role name } }', ADMIN)).toEqual({
    data: { viewer: { role: 'ADMIN', name: 'made before' } },
  });
  expect(
    await gql(
      `{ sorted: countries(orderBy: { field: NAME, direction: ASC }) { nodes { iso3 } }
         found: countries(search: "cote") { nodes { iso3 } } }`,
    ),
  ).toEqual({
    data: {
      sorted: { nodes: [{ iso3: 'ALA' }, { iso3: 'AUT' }, { iso3: 'CIV' }, { iso3: 'CHE' }] },
      found: { nodes: [{ iso3: 'CIV' }] },
    },
  });
});

test("versions UN DESA's importer wrote are international estimates, the others the country's own", async () => {
  const read = await gql('{ submissions { nodes { origin referenceYear country { iso3 } } } }', ADMIN);
  const origins = (
    read.data?.submissions as { nodes: { origin: string; referenceYear: number; country: { iso3: string } }[] }
  ).nodes
    .map((s) => `${s.country.iso3} ${s.referenceYear} ${s.origin}`)
    .sort();
  expect(origins).toEqual(['AUT 2020 INTERNATIONAL_ESTIMATE', 'CHE 2020 COUNTRY', 'CHE 2021 COUNTRY']);
});

test('each feed numbers its own entries, and the webhook resumes where it was in that numbering', async () => {
  const feed = '{ changes { nodes { sequence cursor series { country { iso3 } referenceYear } } } }';
  expect(await gql(feed)).toEqual({
    data: {
      changes: {
        nodes: [
          { sequence: '1', cursor: 'p:1', series: { country: { iso3: 'CHE' }, referenceYear: 2020 } },
          { sequence: '2', cursor: 'p:2', series: { country: { iso3: 'AUT' }, referenceYear: 2020 } },
        ],
      },
    },
  });
  const all = await gql('{ changes { nodes { sequence series { referenceYear } } } }', ADMIN);
  expect(all.data?.changes).toEqual({
    nodes: [
      { sequence: '1', series: { referenceYear: 2021 } },
      { sequence: '2', series: { referenceYear: 2020 } },
      { sequence: '3', series: { referenceYear: 2020 } },
    ],
  });
  expect(
    await gql(
      '{ webhooks { cursor paused deliveries(orderBy: { field: SEQUENCE, direction: ASC }) { nodes { sequence status } } } }',
      ADMIN,
    ),
  ).toEqual({
    data: {
      webhooks: [
        {
          cursor: 'p:2',
          paused: true,
          deliveries: {
            nodes: [
              { sequence: '1', status: 'DELIVERED' },
              { sequence: '2', status: 'DELIVERED' },
            ],
          },
        },
      ],
    },
  });
});

test('an account entry published before keeps its value for every reader', async () => {
  const read = await gql(
    '{ populationAccount(country: "CHE", year: 2020) { groups { group opening } pendingEntries } }',
  );
  const account = read.data?.populationAccount as { groups: { group: string; opening: number | null }[] };
  expect(account.groups.find((g) => g.group === 'FOREIGN_BORN_FOREIGNERS')).toEqual({
    group: 'FOREIGN_BORN_FOREIGNERS',
    opening: 300,
  });
});
