// `migstat seed` on a hub already in use only adds what is missing: the task force's curation (through the API) and
// a deliberate `migstat import countries` survive it, and its counts say it updated nothing. As a user meets it:
// seed run while `migstat serve` holds the database (through its control socket on PGlite; directly on PostgreSQL).
// Seeding an empty or migrated database is tested in cli.test.ts and serve.test.ts.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';
import { scratchDir } from '../support/scratch.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';

// A server and several CLI processes, each opening the database: slow on a busy machine.
jest.setTimeout(180_000);

let target: CliTarget;
let server: { child: ChildProcess; url: string } | undefined;
const scratch = scratchDir('migstat-seed-');

beforeAll(async () => {
  target = await cliTarget({ database: 'seeded' });
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
    env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...target.env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const serving = /"msg":"serving".*"url":"([^"]+)"|"url":"([^"]+)".*"msg":"serving"/.exec(stderr);
      if (serving) resolve(serving[1] ?? serving[2]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stderr}`)));
  });
  server = { child, url };
});

afterAll(async () => {
  if (server) {
    const exited = new Promise((resolve) => server!.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
  }
  await target?.dispose();
});

// Not named gql: graphql-codegen reads the templates passed to a gql() call as documents, and these are built.
async function postGraphql<T>(query: string, variables: object, token?: string): Promise<T> {
  const res = await fetch(server!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** Runs a mutation and returns its payload, failing on any typed error. */
async function mutate(name: string, input: object, token: string): Promise<Record<string, unknown>> {
  const type = `${name.charAt(0).toUpperCase()}${name.slice(1)}Input`;
  const result = await postGraphql<Record<string, Record<string, unknown>>>(
    `mutation($input: ${type}!) { ${name}(input: $input) { __typename ... on Error { message } } }`,
    { input },
    token,
  );
  expect(result[name]).not.toHaveProperty('message');
  return result[name]!;
}

/** Everything the test curates, as the API answers it. */
async function curated() {
  return postGraphql<{
    stock: {
      revision: number;
      name: string;
      description: string;
      provisionalFields: string[];
      candidateSourceTypes: { sourceType: { code: string }; suitability: string; note: string | null }[];
    };
    temp: { revision: number; status: string };
    emigrants: { revision: number; code: string } | null;
    renamed: { code: string; name: string } | null;
    rec: { revision: number; text: string };
    che: { name: string };
    westernEurope: { name: string };
  }>(
    `{
      stock: indicator(code: "IMM_STOCK") {
        revision name description provisionalFields
        candidateSourceTypes { sourceType { code } suitability note }
      }
      temp: indicator(code: "TEMP_MOVERS") { revision status }
      emigrants: indicator(code: "EMI_STOCK") { revision code }
      renamed: indicator(code: "EMIGRANT_STOCK") { code name }
      rec: recommendation(code: "REC_RESIDENCE") { revision text }
      che: country(code: "CHE") { name }
      westernEurope: region(code: "155") { name }
    }`,
    {},
  );
}

test('seed on a curated hub adds nothing back and reverts nothing; its counts say so', async () => {
  // The token's CLI process and the first read over HTTP at once: neither needs the other.
  const [created, seeded] = await Promise.all([
    target.run('token', 'create', '--role', 'TASK_FORCE', '--name', 'task force', '--json'),
    curated(),
  ]);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const { token } = JSON.parse(created.stdout) as { token: string };

  expect(seeded.stock.provisionalFields).toContain('tier');
  expect(seeded.stock.candidateSourceTypes).toContainEqual(
    expect.objectContaining({ sourceType: { code: 'HH_SURVEY' }, suitability: 'SECONDARY' }),
  );
  expect(seeded.stock.candidateSourceTypes).toContainEqual(
    expect.objectContaining({ sourceType: { code: 'PERMITS' } }),
  );
  expect(seeded.temp.status).toBe('ACTIVE');

  // The task force curates the seeded catalogue.
  await mutate(
    'updateIndicator',
    {
      indicator: 'IMM_STOCK',
      expectedRevision: seeded.stock.revision,
      name: 'Immigrant stock (curated)',
      description: 'Curated by the task force.',
    },
    token,
  );
  await mutate(
    'linkIndicatorSourceType',
    { indicator: 'IMM_STOCK', sourceType: 'HH_SURVEY', suitability: 'SUPPLEMENTARY', note: 'curated note' },
    token,
  );
  await mutate('unlinkIndicatorSourceType', { indicator: 'IMM_STOCK', sourceType: 'PERMITS' }, token);
  await mutate(
    'confirmIndicatorFields',
    { indicator: 'IMM_STOCK', expectedRevision: seeded.stock.revision + 1, fields: ['TIER'] },
    token,
  );
  await mutate(
    'retireIndicator',
    { indicator: 'TEMP_MOVERS', expectedRevision: seeded.temp.revision, reason: 'curated' },
    token,
  );
  // A new code for an indicator: the seed must not bring back the old one beside it.
  await mutate(
    'updateIndicator',
    { indicator: 'EMI_STOCK', expectedRevision: seeded.emigrants!.revision, code: 'EMIGRANT_STOCK' },
    token,
  );
  await mutate(
    'updateRecommendation',
    { recommendation: 'REC_RESIDENCE', expectedRevision: seeded.rec.revision, text: 'Curated recommendation text' },
    token,
  );
  // A deliberate import of an edited M49 list renames a country and a region.
  const m49 = readFileSync('data/countries.csv', 'utf8')
    .replace(',Switzerland,', ',Swiss Confederation,')
    .replaceAll(',155,Western Europe,', ',155,Western Europe (edited),');
  const m49File = join(scratch, 'countries.csv');
  writeFileSync(m49File, m49);
  expect(await target.run('import', 'countries', m49File)).toMatchObject({ code: 0, stderr: '' });

  const before = await curated();
  expect(before).toMatchObject({
    stock: { name: 'Immigrant stock (curated)', description: 'Curated by the task force.' },
    temp: { status: 'RETIRED' },
    emigrants: null,
    renamed: { code: 'EMIGRANT_STOCK' },
    rec: { text: 'Curated recommendation text' },
    che: { name: 'Swiss Confederation' },
    westernEurope: { name: 'Western Europe (edited)' },
  });
  expect(before.stock.provisionalFields).not.toContain('tier');
  expect(before.stock.provisionalFields).toContain('buildingBlock');
  expect(before.stock.candidateSourceTypes).toContainEqual({
    sourceType: { code: 'HH_SURVEY' },
    suitability: 'SUPPLEMENTARY',
    note: 'curated note',
  });
  expect(before.stock.candidateSourceTypes).not.toContainEqual(
    expect.objectContaining({ sourceType: { code: 'PERMITS' } }),
  );

  const seed = await target.run('seed', '--json');
  expect(seed).toMatchObject({ code: 0, stderr: '' });
  // Every curated value survives.
  expect(await curated()).toEqual(before);
  const report = JSON.parse(seed.stdout) as Record<string, { created: number; updated: number; unchanged: number }>;
  // Nothing created (the hub held everything, or curation removed it) and nothing updated: every item of the seed is
  // counted as left as it is.
  for (const counts of Object.values(report))
    expect(counts).toEqual({ created: 0, updated: 0, unchanged: expect.any(Number) });
  expect(report).toMatchObject({
    Country: { unchanged: 248 },
    Region: { unchanged: 30 },
    Indicator: { unchanged: 15 },
    IndicatorSourceType: { unchanged: 22 },
  });

  // The text output says the same.
  const text = await target.run('seed');
  expect(text).toMatchObject({ code: 0, stderr: '' });
  expect(text.stdout).toContain('Indicator: 0 created, 0 updated, 15 unchanged');
  expect(text.stdout).not.toMatch(/[1-9]\d* (created|updated)/);
  expect(await curated()).toEqual(before);
});

test('seed adds what the hub lacks and leaves what deliberate imports made as it is', async () => {
  // A hub loaded by deliberate imports: an M49 list without Afghanistan and with Switzerland renamed, a catalogue
  // without its last recommendation and with a concept re-worded.
  const partial = await cliTarget({ database: 'migrated' });
  try {
    const m49File = join(scratch, 'partial-countries.csv');
    writeFileSync(
      m49File,
      readFileSync('data/countries.csv', 'utf8')
        .split('\n')
        .filter((line) => !line.includes(',Afghanistan,'))
        .join('\n')
        .replace(',Switzerland,', ',Swiss Confederation,'),
    );
    expect(await partial.run('import', 'countries', m49File)).toMatchObject({ code: 0, stderr: '' });
    const catalogue = JSON.parse(readFileSync('data/catalogue.json', 'utf8')) as {
      concepts: { code: string; definition: string }[];
      recommendations: { code: string }[];
    };
    const lastRecommendation = catalogue.recommendations.at(-1)!.code;
    const concept = catalogue.concepts[0]!;
    const catalogueFile = join(scratch, 'partial-catalogue.json');
    writeFileSync(
      catalogueFile,
      JSON.stringify({
        ...catalogue,
        recommendations: catalogue.recommendations.slice(0, -1),
        concepts: [{ ...concept, definition: 'Re-worded by a deliberate import.' }, ...catalogue.concepts.slice(1)],
      }),
    );
    expect(await partial.run('import', 'catalogue', catalogueFile)).toMatchObject({ code: 0, stderr: '' });

    const seed = await partial.run('seed', '--json');
    expect(seed).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(seed.stdout) as Record<string, object>;
    expect(report.Country).toEqual({ created: 1, updated: 0, unchanged: 247 });
    expect(report.Recommendation).toEqual({ created: 1, updated: 0, unchanged: catalogue.recommendations.length - 1 });
    expect(report.Concept).toEqual({ created: 0, updated: 0, unchanged: catalogue.concepts.length });

    const db = await partial.open();
    try {
      const p = db.prisma;
      expect(await p.country.findUnique({ where: { iso3: 'AFG' }, select: { name: true } })).toEqual({
        name: 'Afghanistan',
      });
      expect(await p.country.findUnique({ where: { iso3: 'CHE' }, select: { name: true } })).toEqual({
        name: 'Swiss Confederation',
      });
      expect(await p.concept.findUnique({ where: { code: concept.code }, select: { definition: true } })).toEqual({
        definition: 'Re-worded by a deliberate import.',
      });
      // The added recommendation takes its place in the seed's order.
      expect(
        await p.recommendation.findUnique({ where: { code: lastRecommendation }, select: { position: true } }),
      ).toEqual({ position: catalogue.recommendations.length - 1 });
    } finally {
      await db.close();
    }
  } finally {
    await partial.dispose();
  }
});
