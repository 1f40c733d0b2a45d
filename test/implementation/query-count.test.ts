// N+1 guard for implementation tracking: implementationSummary over Asia (50 countries × 9 recommendations, every
// pair with a record) costs the same SQL statements as over a region of 5, and Country.implementation with each
// row's record and history over a page of 50 countries costs the same as over a page of 1. A recommendation's
// adoptions filtered by region look the region up once, for the page and its totalCount together. An adoption import
// costs the same statements for 252 new records as for 540, and one UPDATE more per changed record.
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAdoptions } from '../../src/implementation/adoptions.import.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { startQueryLog, type QueryLog } from '../support/query-log.js';
import { importSubmissionsCsv, REGION_SIZES } from '../support/scenarios.js';

const STATUSES = ['NOT_STARTED', 'PLANNED', 'PARTIAL', 'IMPLEMENTED', 'NOT_APPLICABLE'];

let hub: Hub;
let log: QueryLog;
let taskForce: string;
beforeAll(async () => {
  hub = await startHub();
  const prisma = hub.db.prisma;
  const asia = await prisma.country.findMany({
    where: { regions: { some: { region: { code: '142' } } } },
    select: { m49: true },
    orderBy: { m49: 'asc' },
  });
  expect(asia).toHaveLength(REGION_SIZES['142']);
  const recommendations = await prisma.recommendation.findMany({
    select: { code: true },
    orderBy: { position: 'asc' },
  });
  expect(recommendations).toHaveLength(9);
  const lines = ['country,recommendation,status,since'];
  asia.forEach((c, i) =>
    recommendations.forEach((r, j) =>
      lines.push(`${c.m49},${r.code},${STATUSES[(i + j) % 5]},${2010 + ((i + j) % 10)}`),
    ),
  );
  const imported = await importAdoptions(prisma, { text: lines.join('\n') }, { actor: CLI_ACTOR });
  expect(imported).toMatchObject({ ok: true, report: { created: 450 } });
  await importSubmissionsCsv(
    prisma,
    [
      'country,indicator,reference_year,value,residence_criterion,status',
      'JPN,IMM_STOCK,2020,2900000,OPTION_I,PUBLISHED',
      'JPN,IMM_FLOW,2020,500000,OPTION_I,VALIDATED',
      'KAZ,TEMP_MOVERS,2019,1000,OTHER,PUBLISHED',
    ].join('\n'),
  );
  taskForce = await hub.token('TASK_FORCE');
  log = await startQueryLog(hub.db.adapterFactory);
});
afterAll(async () => {
  log?.stop();
  await hub?.close();
});

const counts: Record<string, number> = {};

const SUMMARY = `
  query Summary($region: String) {
    implementationSummary(region: $region, window: { from: 2015, to: 2020 }) {
      recommendation { code }
      countriesInScope
      byStatus { status countries }
      evidenceMet discrepancies
    }
  }`;

interface SummaryResult {
  implementationSummary: {
    recommendation: { code: string };
    countriesInScope: number;
    byStatus: { status: string | null; countries: number }[];
    evidenceMet: number | null;
    discrepancies: number;
  }[];
}

test('implementationSummary: 50 countries × 9 recommendations cost the same statements as 5 × 9', async () => {
  let asia: SummaryResult['implementationSummary'] = [];
  counts['summary, Asia (50)'] = await log.count(async () => {
    asia = data(
      await hub.gql<SummaryResult, object>(SUMMARY, { region: '142' }, { token: taskForce }),
    ).implementationSummary;
  });
  counts['summary, Central Asia (5)'] = await log.count(async () => {
    data(await hub.gql<SummaryResult, object>(SUMMARY, { region: '143' }, { token: taskForce }));
  });
  expect(asia).toHaveLength(9);
  for (const s of asia) {
    expect(s.countriesInScope).toBe(50);
    expect(s.byStatus.find((b) => b.status === null)?.countries).toBe(0);
    expect(s.byStatus.reduce((n, b) => n + b.countries, 0)).toBe(50);
  }
  // JPN reports a stock and (validated, seen by the task force) a flow: REC_STOCK_FLOW is met for one country.
  expect(asia.find((s) => s.recommendation.code === 'REC_STOCK_FLOW')?.evidenceMet).toBe(1);
  expect(counts['summary, Asia (50)']).toBe(counts['summary, Central Asia (5)']);
  expect(counts['summary, Asia (50)']).toBeLessThanOrEqual(5);
});

const COUNTRIES = `
  query CountriesImplementation($first: Int!) {
    countries(first: $first, region: "142") {
      nodes {
        m49
        implementation(window: { from: 2015, to: 2020 }) {
          recommendation { code }
          country { iso3 }
          status since
          record { revision history { revision status actor } }
          evidence { met detail }
          discrepancy
          history { revision }
        }
      }
    }
  }`;

test('Country.implementation: a page of 50 countries costs the same statements as a page of 1', async () => {
  const byN: Record<number, number> = {};
  for (const first of [1, 50]) {
    let nodes: { implementation: { record: { history: unknown[] } | null }[] }[] = [];
    byN[first] = await log.count(async () => {
      nodes = data(
        await hub.gql<{ countries: { nodes: typeof nodes } }, object>(COUNTRIES, { first }, { token: taskForce }),
      ).countries.nodes;
    });
    expect(nodes).toHaveLength(first);
    expect(
      nodes.every(
        (n) => n.implementation.length === 9 && n.implementation.every((r) => r.record?.history.length === 1),
      ),
    ).toBe(true);
    counts[`countries(first: ${first}) { implementation }`] = byN[first];
  }
  expect(byN[50]).toBe(byN[1]);
  expect(byN[50]).toBeLessThanOrEqual(12);
});

test('Recommendation.adoptions(filter: { region }): the region is looked up once for the page and its totalCount', async () => {
  log.reset();
  const adoptions = data(
    await hub.gql<{ recommendation: { adoptions: { totalCount: number; nodes: unknown[] } } }, object>(
      `{ recommendation(code: "REC_RESIDENCE") {
        adoptions(first: 2, filter: { region: "143" }) { totalCount nodes { country { iso3 } } }
      } }`,
      {},
      { token: taskForce },
    ),
  ).recommendation.adoptions;
  expect(adoptions.totalCount).toBe(5); // Central Asia's five countries, each with a record
  expect(adoptions.nodes).toHaveLength(2);
  expect(log.statements.filter((sql) => /"Region"/.test(sql))).toHaveLength(1);
});

test('importAdoptions: new records cost the same statements however many, a changed record one UPDATE more', async () => {
  const recommendations = await hub.db.prisma.recommendation.findMany({ select: { code: true } });
  const file = async (region: string, changed = 0) => {
    const countries = await hub.db.prisma.country.findMany({
      where: { regions: { some: { region: { code: region } } } },
      select: { m49: true },
      orderBy: { m49: 'asc' },
    });
    const lines = ['country,recommendation,status,since'];
    countries.forEach((c, i) =>
      recommendations.forEach((r, j) =>
        lines.push(`${c.m49},${r.code},${i * 9 + j < changed ? 'IMPLEMENTED' : 'PLANNED'},2019`),
      ),
    );
    return { text: lines.join('\n') };
  };
  const run = async (key: string, region: string, changed?: number) => {
    const source = await file(region, changed);
    let report: unknown;
    counts[key] = await log.count(async () => {
      report = await importAdoptions(hub.db.prisma, source, { actor: CLI_ACTOR });
    });
    return report;
  };
  const caribbean = REGION_SIZES['029'] * 9;
  const africa = REGION_SIZES['002'] * 9;
  expect(await run(`import, ${caribbean} new`, '029')).toMatchObject({ report: { created: caribbean } });
  expect(await run(`import, ${africa} new`, '002')).toMatchObject({ report: { created: africa } });
  expect(await run(`import, ${caribbean} unchanged`, '029')).toMatchObject({ report: { unchanged: caribbean } });
  expect(await run('import, 1 changed', '029', 1)).toMatchObject({ report: { updated: 1 } });
  expect(await run('import, 3 changed', '029', 3)).toMatchObject({ report: { updated: 2, unchanged: caribbean - 2 } });
  expect(counts[`import, ${africa} new`]).toBe(counts[`import, ${caribbean} new`]);
  expect(counts[`import, ${caribbean} unchanged`]).toBeLessThan(counts[`import, ${caribbean} new`]!);
  // The first changed record was already IMPLEMENTED by the previous import: two changed, two UPDATEs.
  expect(counts['import, 3 changed']).toBe(counts['import, 1 changed']! + 1);
  // Nothing lost in the batching: a history row for every version written, and the audit entries with it.
  const inCaribbean = { adoption: { country: { regions: { some: { region: { code: '029' } } } } } };
  expect(await hub.db.prisma.adoptionChange.count({ where: inCaribbean })).toBe(caribbean + 3);
  expect(await hub.db.prisma.adoptionChange.count({ where: { ...inCaribbean, revision: 2 } })).toBe(3);
});
