// The web app in a real browser (Debian's Chromium through playwright-core) against a hub serving over HTTP, with
// the seed catalogue and UN DESA's International Migrant Stock 2020 loaded. Every request to another host is
// blocked and recorded: the pages and GraphiQL must need none. Screenshots of each page go to tmp/browser/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { dataDir } from '../../src/platform/paths.js';
import { importDataSources } from '../../src/submissions/sources.import.js';
import { importUndesaIms, UNDESA_YEARS } from '../../src/submissions/undesa.import.js';
import { graphql } from '../gql/index.js';
import { writeArtifact } from '../support/artifacts.js';
import { showingPage, expectAccessible, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { scratchDir } from '../support/scratch.js';
import { dbKind } from '../support/db.js';
import { data } from '../support/hub.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

type Row = Record<string, string>;
const read = (file: string) => parse(readFileSync(join(dataDir, file), 'utf8'), { columns: true, bom: true }) as Row[];
const undesa = read('un_desa_ims2020_destination.csv');
const m49 = read('countries.csv');

/** Countries (M49 country rows) in a region at any depth, or all of them. */
function countriesIn(region?: string): Set<string> {
  return new Set(
    m49
      .filter(
        (c) =>
          !region ||
          [c['Region Code'], c['Sub-region Code'], c['Intermediate Region Code']].includes(region.padStart(3, '0')),
      )
      .map((c) => c['M49 Code']!.padStart(3, '0')),
  );
}

/** From the file itself: countries in scope with a published total in a year of the window. */
function undesaReporting(window?: { from: number; to: number }, region?: string): number {
  const scope = countriesIn(region);
  const years = UNDESA_YEARS.filter((y) => !window || (y >= window.from && y <= window.to));
  return undesa.filter((row) => {
    const code = row.location_code!.trim().padStart(3, '0');
    return scope.has(code) && years.some((y) => !['', '..'].includes((row[`stock_total_${y}`] ?? '').trim()));
  }).length;
}

const SOURCES_CSV = `code,country,source_type,name,agency,periodicity,latest_year,residence_criterion
CHE_STATPOP,CHE,POP_REGISTER,Population and households statistics (STATPOP),Federal Statistical Office,annual,2022,OPTION_II
`;

// A published 2020 account for Switzerland (the profile is read anonymously): three groups balance, foreign-born
// foreigners are 5 000 off (not coherent).
const ACCOUNT_CSV = `country,year,group,component,value,status
CHE,2020,NATIVE_BORN_CITIZENS,OPENING_STOCK,5400000,PUBLISHED
CHE,2020,NATIVE_BORN_CITIZENS,BIRTHS,70000,PUBLISHED
CHE,2020,NATIVE_BORN_CITIZENS,DEATHS,50000,PUBLISHED
CHE,2020,NATIVE_BORN_CITIZENS,IMMIGRATION,10000,PUBLISHED
CHE,2020,NATIVE_BORN_CITIZENS,EMIGRATION,15000,PUBLISHED
CHE,2020,NATIVE_BORN_CITIZENS,CITIZENSHIP_LOST,0,PUBLISHED
CHE,2020,NATIVE_BORN_CITIZENS,CLOSING_STOCK,5417000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,OPENING_STOCK,400000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,BIRTHS,15000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,DEATHS,1000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,IMMIGRATION,1000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,EMIGRATION,2000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,CITIZENSHIP_ACQUIRED,2000,PUBLISHED
CHE,2020,NATIVE_BORN_FOREIGNERS,CLOSING_STOCK,411000,PUBLISHED
CHE,2020,FOREIGN_BORN_CITIZENS,OPENING_STOCK,900000,PUBLISHED
CHE,2020,FOREIGN_BORN_CITIZENS,DEATHS,8000,PUBLISHED
CHE,2020,FOREIGN_BORN_CITIZENS,IMMIGRATION,5000,PUBLISHED
CHE,2020,FOREIGN_BORN_CITIZENS,EMIGRATION,6000,PUBLISHED
CHE,2020,FOREIGN_BORN_CITIZENS,CITIZENSHIP_LOST,0,PUBLISHED
CHE,2020,FOREIGN_BORN_CITIZENS,CLOSING_STOCK,921000,PUBLISHED
CHE,2020,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,1800000,PUBLISHED
CHE,2020,FOREIGN_BORN_FOREIGNERS,DEATHS,6000,PUBLISHED
CHE,2020,FOREIGN_BORN_FOREIGNERS,IMMIGRATION,140000,PUBLISHED
CHE,2020,FOREIGN_BORN_FOREIGNERS,EMIGRATION,80000,PUBLISHED
CHE,2020,FOREIGN_BORN_FOREIGNERS,CITIZENSHIP_ACQUIRED,30000,PUBLISHED
CHE,2020,FOREIGN_BORN_FOREIGNERS,CLOSING_STOCK,1829000,PUBLISHED
`;

let b: BrowserHub;
/** Files the pages upload and download. */
const scratch = scratchDir('migstat-web-');
const timings: Record<string, number | string> = {};

beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      await importUndesaIms(hub.db.prisma, join(dataDir, 'un_desa_ims2020_destination.csv'), CLI_ACTOR);
      await importDataSources(hub.db.prisma, { text: SOURCES_CSV }, CLI_ACTOR);
      await importAccounts(hub.db.prisma, { text: ACCOUNT_CSV }, CLI_ACTOR);
    },
  });
}, 180_000);

afterAll(async () => {
  writeArtifact(`browser/${dbKind}-timings.json`, timings);
  await b?.close();
});

afterEach(() => {
  // Nothing any page did may have reached for another host.
  expect(b.outside).toEqual([]);
});

/** The number in the coverage summary table's column for one indicator. */
async function summary(page: Page, indicator: string, column: 'reporting' | 'total'): Promise<number> {
  return Number(await page.locator(`tr[data-indicator="${indicator}"] td[data-col="${column}"]`).innerText());
}

async function heatmapCells(page: Page): Promise<number> {
  return page.locator('.heatmap svg [aria-label="cell"] rect, .heatmap svg g[aria-label="cell"] > rect').count();
}

describe('coverage', () => {
  browserTest(
    'the world heatmap: 248 countries × every indicator, the IMM_STOCK count of the UN DESA file',
    async () => {
      const { page, errors } = await b.newPage();
      const started = Date.now();
      await page.goto(`${b.url}/`);
      await page.locator('.heatmap svg').waitFor();
      const wall = Date.now() - started;
      // Navigation start → the heatmap in the document, as the page itself measured it.
      const marks = await page.evaluate(() => ({
        data: performance.getEntriesByName('coverage:data')[0]?.startTime,
        heatmap: performance.getEntriesByName('coverage:heatmap')[0]?.startTime,
      }));
      expect(marks.heatmap).toBeGreaterThan(marks.data!);
      timings.worldDataMs = Math.round(marks.data!);
      timings.worldHeatmapMs = Math.round(marks.heatmap!);
      timings.worldHeatmapWallMs = wall;
      // Where the time goes: the page's one GraphQL request (server time included).
      const api = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.endsWith('/graphql'))
          .map((e) => ({ start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd })),
      );
      timings.worldRequests = api.map((r) => `${Math.round(r.start)}–${Math.round(r.end)} ms`).join(', ');

      const indicators = data(await b.hub.gql('{ indicators(filter: { status: ACTIVE }) { totalCount } }')) as {
        indicators: { totalCount: number };
      };
      await expect(page.getByRole('heading', { name: /indicators × 248 countries/ }).innerText()).resolves.toBe(
        `${indicators.indicators.totalCount} indicators × 248 countries`,
      );
      expect(await heatmapCells(page)).toBe(indicators.indicators.totalCount * 248);
      expect(await summary(page, 'IMM_STOCK', 'reporting')).toBe(undesaReporting());
      expect(await summary(page, 'IMM_STOCK', 'total')).toBe(248);
      // The hover tip names the status, years and source of a reporting pair.
      const reported = page.locator('.heatmap svg g[aria-label="cell"] > rect[fill="#08519c"]').first();
      await reported.hover();
      await expect(page.locator('.heatmap svg [aria-label="tip"]').textContent()).resolves.toMatch(
        /Reported[\s\S]*Years[\s\S]*2020[\s\S]*Source type[\s\S]*Residence criterion/,
      );
      await expectAccessible(page);
      await b.screenshot(page, 'coverage-world');
      expect(errors).toEqual([]);
    },
  );

  browserTest('a year window and a region are in the URL and give the file’s count for that scope', async () => {
    const { page } = await b.newPage();
    await page.goto(`${b.url}/coverage?from=2000&to=2005&region=150`);
    await page.locator('.heatmap svg').waitFor();
    const europe = countriesIn('150').size;
    expect(await summary(page, 'IMM_STOCK', 'total')).toBe(europe);
    expect(await summary(page, 'IMM_STOCK', 'reporting')).toBe(undesaReporting({ from: 2000, to: 2005 }, '150'));
    expect(await heatmapCells(page)).toBe((await page.locator('tr[data-indicator]').count()) * europe);
    // The filters are labelled controls showing the URL's values; changing one by keyboard rewrites the URL.
    await expect(page.getByLabel('From year').inputValue()).resolves.toBe('2000');
    await expect(page.getByLabel('Region').inputValue()).resolves.toBe('150');
    const tier = page.getByLabel('Tier');
    await tier.focus();
    // A year being typed is kept while the page re-renders (here: the coverage of the tier just chosen arriving).
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    await page.route('**/graphql', async (route) => (await held, route.continue()));
    await tier.selectOption('CORE');
    await page.waitForURL(/tier=CORE/);
    await page.getByText('Loading coverage…').waitFor();
    const to = page.getByLabel('To year');
    await to.fill('2004');
    answer();
    await page.getByText('Loading coverage…').waitFor({ state: 'detached' });
    await page.locator('.heatmap svg').waitFor();
    await expect(to.inputValue()).resolves.toBe('2004');
    await page.unroute('**/graphql');
    expect(new URL(page.url()).searchParams.get('to')).toBe('2005');
    await to.press('Enter');
    await page.waitForURL(/to=2004/);
    expect(new URL(page.url()).searchParams.get('region')).toBe('150');
    expect(new URL(page.url()).searchParams.get('tier')).toBe('CORE');
    const unlabelled = await page
      .locator('main select, main input')
      .evaluateAll((els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).length);
    expect(unlabelled).toBe(0);
    await expectAccessible(page);
    await b.screenshot(page, 'coverage-europe');
  });

  browserTest('share by region at sub-region depth', async () => {
    const { page } = await b.newPage();
    await page.goto(`${b.url}/coverage?view=regions&level=SUB_REGION&region=002`);
    await page.locator('.heatmap svg').waitFor();
    // Africa's two sub-regions.
    await expect(page.getByRole('heading', { name: /indicators × 2 regions/ }).count()).resolves.toBe(1);
    const cell = page.locator('.heatmap svg g[aria-label="cell"] > rect').nth(6); // IMM_STOCK of the first row
    await cell.hover();
    await expect(page.locator('.heatmap svg [aria-label="tip"]').textContent()).resolves.toMatch(
      /Countries\s*\d+ of \d+/,
    );
    await expectAccessible(page);
    await b.screenshot(page, 'coverage-regions');
    // As a table: a row per sub-region, each cell the share and the counts of the tip.
    await page.getByRole('button', { name: 'Show as table' }).click();
    const table = page.getByRole('table', { name: /^Share of countries reporting \d+ indicators in 2 regions$/ });
    await expect(table.locator('tbody tr').count()).resolves.toBe(2);
    await expect(table.locator('tbody td').first().innerText()).resolves.toMatch(/^\d+% \(\d+ of \d+ countries\)$/);
    await expectAccessible(page);
  });

  browserTest('the heatmap as a table: reached and opened by keyboard, every cell in words', async () => {
    const { page, errors } = await b.newPage();
    await page.goto(`${b.url}/coverage?from=2000&to=2005&region=150`);
    await page.locator('.heatmap svg').waitFor();
    const europe = countriesIn('150').size;
    const indicators = await page.locator('tr[data-indicator]').count();
    // The figure's cells are marks in an image, not in the tab order: the next stop after the filters is the toggle.
    await page.getByLabel('Rows').focus();
    await page.keyboard.press('Tab');
    const toggle = page.getByRole('button', { name: 'Show as table' });
    await expect(toggle.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', {
      name: `Reporting status of ${indicators} indicators in ${europe} countries`,
    });
    await table.waitFor();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    expect(new URL(page.url()).searchParams.get('as')).toBe('table');
    await expect(table.locator('tbody tr').count()).resolves.toBe(europe);
    await expect(table.getByRole('columnheader').count()).resolves.toBe(indicators + 1);
    // The IMM_STOCK column counts what the summary and the file count; Switzerland's cell says what the tip said.
    await expect(table.locator('td[data-indicator="IMM_STOCK"][data-status="REPORTED"]').count()).resolves.toBe(
      undesaReporting({ from: 2000, to: 2005 }, '150'),
    );
    const che = table.getByRole('row', { name: /^Switzerland/ }).locator('td[data-indicator="IMM_STOCK"]');
    await expect(che.innerText()).resolves.toMatch(/^Reported: 2000, 2005; source type .+; residence .+$/);
    // The box the table scrolls in is the next stop, so the keyboard can scroll it.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe(
      `Reporting status of ${indicators} indicators in ${europe} countries, as a table (scrolls)`,
    );
    await expectAccessible(page);
    await b.screenshot(page, 'coverage-table');
    // Pressed again: the figure is back, and the URL says so.
    await toggle.click();
    await page.locator('.heatmap svg').waitFor();
    await expect(table.count()).resolves.toBe(0);
    expect(new URL(page.url()).searchParams.has('as')).toBe(false);
    expect(errors).toEqual([]);
  });
});

browserTest('gaps: filtered by kind and indicator, downloaded as CSV with the rows shown', async () => {
  const { page } = await b.newPage();
  await page.goto(`${b.url}/gaps?indicator=IMM_STOCK`);
  await page.getByTestId('gaps').waitFor();
  const api = data(await b.hub.gql('{ gaps(filter: { indicators: ["IMM_STOCK"] }) { kind country { m49 } } }')) as {
    gaps: { kind: string }[];
  };
  const shown = () => page.getByTestId('gap-count').innerText();
  await expect(shown()).resolves.toBe(`${api.gaps.length} gaps`);
  await page.getByLabel('Kind').selectOption('FEASIBLE_NOT_REPORTED');
  await page.waitForURL(/kind=FEASIBLE_NOT_REPORTED/);
  const feasible = api.gaps.filter((g) => g.kind === 'FEASIBLE_NOT_REPORTED').length;
  await page
    .getByTestId('gap-count')
    .filter({ hasText: new RegExp(`^${feasible} gaps$`) })
    .waitFor();
  await page.getByLabel('Kind').selectOption('');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  const path = join(scratch, 'gaps.csv');
  await download.saveAs(path);
  const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];
  expect(rows).toHaveLength(api.gaps.length);
  expect(Object.keys(rows[0]!)).toEqual(['kind', 'indicator', 'country', 'iso3', 'country_name', 'candidate_sources']);
  expect(rows.every((r) => r.indicator === 'IMM_STOCK')).toBe(true);
  await expectAccessible(page);
  await b.screenshot(page, 'gaps');
  // With a year window, a gap's indicator opens on the same window.
  await page.goto(`${b.url}/gaps?indicator=IMM_STOCK&from=2000&to=2005`);
  await page.getByTestId('gaps').getByRole('link', { name: 'IMM_STOCK' }).first().click();
  await page.waitForURL(/\/indicators\/IMM_STOCK\?/);
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ from: '2000', to: '2005' });
  await page.getByTestId('series').waitFor();
  await expect(page.getByLabel('From year').inputValue()).resolves.toBe('2000');
  await expect(page.getByLabel('To year').inputValue()).resolves.toBe('2005');
});

browserTest('countries: a search typed while the list loads is kept, and Enter filters by it', async () => {
  const { page, errors } = await b.newPage();
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  await page.route('**/graphql', async (route) => (await held, route.continue()));
  await page.goto(`${b.url}/countries?region=150`);
  await page.getByText('Loading countries…').waitFor();
  const search = page.getByLabel('Name or code');
  await search.fill('switz');
  answer();
  await page.getByRole('status').filter({ hasText: 'countries and areas' }).waitFor();
  await expect(search.inputValue()).resolves.toBe('switz');
  await page.unroute('**/graphql');
  await search.press('Enter');
  await page.waitForURL(/q=switz/);
  await page
    .getByRole('status')
    .filter({ hasText: /^1 countries and areas$/ })
    .waitFor();
  await page.getByRole('link', { name: 'Switzerland' }).waitFor();
  expect(errors).toEqual([]);
});

browserTest(
  'each page is titled by its heading; after a move between pages the keyboard starts at the new heading',
  async () => {
    const { page, errors } = await b.newPage();
    await page.goto(`${b.url}/countries?q=switz`);
    await page.getByRole('heading', { level: 1, name: 'Countries and areas' }).waitFor();
    // The title follows the heading in an effect (components/page-title.tsx), a frame after the first render.
    await page.waitForFunction(() => document.title.includes(' · '));
    await expect(page.title()).resolves.toBe('Countries and areas · Migration Statistics Hub');
    await page.getByRole('link', { name: 'Switzerland' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Switzerland' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Switzerland');
    await expect(page.title()).resolves.toBe('Switzerland · Migration Statistics Hub');
    // Back in history: the list again, titled and focused as such.
    await page.goBack();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Countries and areas');
    await expect(page.title()).resolves.toBe('Countries and areas · Migration Statistics Hub');
    expect(errors).toEqual([]);
  },
);

browserTest('country profile: whether the account opens where the year before closed', async () => {
  const groups = ['NATIVE_BORN_CITIZENS', 'NATIVE_BORN_FOREIGNERS', 'FOREIGN_BORN_CITIZENS', 'FOREIGN_BORN_FOREIGNERS'];
  const rows = (year: number, component: string, values: number[]) =>
    groups.map((g, i) => `AUT,${year},${g},${component},${values[i]},PUBLISHED`);
  await importAccounts(
    b.hub.db.prisma,
    {
      text: [
        'country,year,group,component,value,status',
        ...rows(2019, 'CLOSING_STOCK', [7000000, 300000, 900000, 1500000]),
        ...rows(2020, 'OPENING_STOCK', [7000000, 300000, 900000, 1520000]),
        ...rows(2020, 'CLOSING_STOCK', [7000000, 300000, 900000, 1520000]),
      ].join('\n'),
    },
    CLI_ACTOR,
  );
  const { page, errors } = await b.newPage();
  await page.goto(`${b.url}/countries/AUT?accountYear=2020`);
  await expect(page.getByTestId('account-continuity').innerText()).resolves.toBe(
    'Does not open where 2019 closed (opening stock − 2019 closing stock): Foreign-born foreigners +20,000.',
  );
  await page.goto(`${b.url}/countries/AUT?accountYear=2019`);
  await expect(page.getByTestId('account-continuity').innerText()).resolves.toMatch(/^Not compared with 2018/);
  expect(errors).toEqual([]);
});

browserTest('country profile: coverage, data sources, submissions with history, the population account', async () => {
  const { page, errors } = await b.newPage();
  await page.goto(`${b.url}/countries/CHE?accountYear=2020`);
  await page.getByRole('heading', { name: 'Switzerland', level: 1 }).waitFor();
  const coverage = data(
    await b.hub.gql('{ countryCoverage(country: "CHE") { coreReported coreTotal missingCore { code } } }'),
  ) as { countryCoverage: { coreReported: number; coreTotal: number; missingCore: { code: string }[] } };
  const c = coverage.countryCoverage;
  await expect(page.getByTestId('core-reported').innerText()).resolves.toContain(
    `Reports ${c.coreReported} of ${c.coreTotal} core indicators`,
  );
  for (const m of c.missingCore) await expect(page.locator('.missing').innerText()).resolves.toContain(m.code);
  // The data sources load on their own (CountrySourcesDoc), after the profile's query.
  const statpop = page.getByRole('rowheader', { name: /STATPOP/ });
  await statpop.first().waitFor();
  await expect(statpop.count()).resolves.toBe(1);
  // One published UN DESA submission per year with a total, each with its history.
  const years = UNDESA_YEARS.filter(
    (y) => !['', '..'].includes(undesa.find((r) => r.location_code === '756')![`stock_total_${y}`]!),
  );
  await expect(page.getByTestId('submissions').locator('tbody tr').count()).resolves.toBe(years.length);
  await page.getByTestId('submissions').locator('summary').first().click();
  // Anonymous: the status changes, not who made them (internal).
  await expect(page.getByTestId('submissions').locator('.history li').first().innerText()).resolves.toMatch(
    /\d\d:\d\d Published$/,
  );
  // The account: the table's residuals, and its two charts.
  const account = page.getByTestId('account');
  await account.waitFor();
  await expect(account.getByRole('row', { name: /Foreign-born foreigners/ }).innerText()).resolves.toMatch(/5,000\s*$/);
  await expect(page.getByTestId('account-coherent').innerText()).resolves.toMatch(/^Not coherent/);
  // One residual bar per group with both stocks (drawn in an effect after the table: components/plot-figure.tsx).
  const residualBars = page.locator('[role=figure][aria-label^="Residual"] g[aria-label="bar"] rect');
  await residualBars.first().waitFor({ state: 'attached' });
  await expect(residualBars.count()).resolves.toBe(4);
  await expectAccessible(page);
  await b.screenshot(page, 'country-che');

  // With a year window, every indicator link keeps it (the missing core indicators, the submissions), and so does the
  // link to the region's implementation matrix; an indicator opens on that window.
  await page.goto(`${b.url}/countries/CHE?from=2000&to=2005`);
  await page.getByTestId('submissions').waitFor();
  await page.getByTestId('country-implementation').waitFor();
  const links = await page
    .locator('.missing a, [data-testid="submissions"] a, a:text("compare with its region")')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  expect(links.length).toBeGreaterThan(2);
  for (const link of links)
    expect([link, new URL(link, b.url).search]).toEqual([link, expect.stringMatching(/from=2000&to=2005$/)]);
  await page.getByTestId('submissions').getByRole('link', { name: 'IMM_STOCK' }).first().click();
  await page.waitForURL(/\/indicators\/IMM_STOCK\?from=2000&to=2005$/);
  await expect(page.getByLabel('From year').inputValue()).resolves.toBe('2000');
  expect(errors).toEqual([]);
});

browserTest(
  'indicator page: definition, coverage by region, and the series of the regional aggregate by sex',
  async () => {
    const { page, errors } = await b.newPage();
    await page.goto(`${b.url}/indicators/IMM_STOCK?region=150&sex=F`);
    await page.getByTestId('series').waitFor();
    await expect(page.getByRole('heading', { name: 'Candidate source types' }).count()).resolves.toBe(1);
    const agg = data(
      await b.hub.gql('{ aggregate(indicator: "IMM_STOCK", year: 2020, region: "150", sex: "F") { value } }'),
    ) as { aggregate: { value: number } };
    const row2020 = page.getByTestId('series').getByRole('row', { name: /^2020/ });
    await expect(row2020.innerText()).resolves.toContain(agg.aggregate.value.toLocaleString('en'));
    await expect(page.getByTestId('series').locator('tbody tr').count()).resolves.toBe(UNDESA_YEARS.length);
    // Inside Europe, its sub-regions: they partition it, so their counts add up to Europe's.
    const subRegions = await page
      .getByTestId('by-region')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.querySelectorAll('td')[0]!.textContent)));
    expect(subRegions).toHaveLength(4);
    expect(subRegions.reduce((a, n) => a + n, 0)).toBe(undesaReporting(undefined, '150'));
    await expect(page.getByTestId('indicator-reporting').innerText()).resolves.toMatch(
      new RegExp(`^${undesaReporting(undefined, '150')} of ${countriesIn('150').size} countries`),
    );
    // Comments are internal: no discussion for an anonymous caller.
    await expect(page.getByRole('heading', { name: 'Discussion' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await b.screenshot(page, 'indicator-imm-stock');
    expect(errors).toEqual([]);
  },
);

browserTest(
  'indicator page: a source is a link when it is an http(s) URL, and a citation in words is text',
  async () => {
    const { page, errors } = await b.newPage();
    const source = () => page.locator('dt', { hasText: /^Source$/ }).locator('xpath=following-sibling::dd[1]');
    await page.goto(`${b.url}/indicators/IMM_STOCK`);
    await expect(source().getByRole('link').getAttribute('href')).resolves.toMatch(/^https:\/\//);
    // The seed cites UN DESA's workbook in words for MIGRANT_SHARE: it was a link to a relative path of the app.
    await page.goto(`${b.url}/indicators/MIGRANT_SHARE`);
    await source()
      .getByText(/^UN DESA International Migrant Stock 2020 workbook/)
      .waitFor();
    await expect(source().getByRole('link').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  },
);

browserTest(
  'indicator page: the task force and focal points discuss the indicator; readers do not see it',
  async () => {
    const { page, errors } = await b.newPage();
    await b.signIn(page, await b.hub.token('TASK_FORCE'));
    await page.goto(`${b.url}/indicators/EMI_STOCK`);
    const discussion = page.getByRole('region', { name: 'Discussion' });
    await discussion.getByText('No comments yet.').waitFor();
    await discussion
      .getByLabel('Add a comment on EMI_STOCK')
      .fill('Should the emigrant stock name its residence option?');
    await discussion.getByRole('button', { name: 'Add comment' }).click();
    await discussion.getByRole('list').getByText('Should the emigrant stock name its residence option?').waitFor();
    await expectAccessible(page);
    expect(errors).toEqual([]);

    const focal = await b.newPage();
    await b.signIn(focal.page, await b.hub.token('FOCAL_POINT', 'FRA'));
    await focal.page.goto(`${b.url}/indicators/EMI_STOCK`);
    await focal.page
      .getByRole('region', { name: 'Discussion' })
      .getByText('Should the emigrant stock name its residence option?')
      .waitFor();

    const reader = await b.newPage();
    await b.signIn(reader.page, await b.hub.token('READER'));
    await reader.page.goto(`${b.url}/indicators/EMI_STOCK`);
    await reader.page.getByRole('heading', { name: 'Candidate source types' }).waitFor();
    // The discussion follows the viewer, restored after the load: once the page knows the reader, there is none.
    await reader.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await expect(reader.page.getByRole('heading', { name: 'Discussion' }).count()).resolves.toBe(0);
  },
);

browserTest(
  'sign-in: a focal point sees its own unpublished submission; the token stays in sessionStorage',
  async () => {
    const token = await b.hub.token('FOCAL_POINT', 'CHE');
    const Import = graphql(`
      mutation WebImport($csv: String!) {
        importSubmissions(input: { csv: $csv }) {
          ok
          problems {
            message
          }
        }
      }
    `);
    const csv = 'country,indicator,reference_year,value,source_type\nCHE,IMM_FLOW,2021,180000,POP_REGISTER\n';
    const imported = data(await b.hub.gql(Import, { csv }, { token }));
    expect(imported.importSubmissions.problems).toEqual([]);

    const { page } = await b.newPage();
    await page.goto(`${b.url}/countries/CHE`);
    const rows = page.getByTestId('submissions').locator('tbody tr');
    await rows.first().waitFor();
    await expect(rows.filter({ hasText: 'IMM_FLOW' }).count()).resolves.toBe(0);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/token/i);
    await page.getByLabel('API token').fill(token);
    await page.getByLabel('API token').press('Enter');
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();

    await page.goto(`${b.url}/countries/CHE`);
    await expect(rows.filter({ hasText: 'IMM_FLOW' }).innerText()).resolves.toMatch(/Submitted/);
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('migstat.token'),
      local: Object.keys(localStorage).length,
    }));
    expect(stored).toEqual({ session: token, local: 0 });
    expect(page.url()).not.toContain(token);
    await expectAccessible(page);
    await b.screenshot(page, 'country-che-focal-point');

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await rows.filter({ hasText: 'IMM_FLOW' }).waitFor({ state: 'detached' });
    await rows.first().waitFor();
    await expect(page.evaluate(() => sessionStorage.getItem('migstat.token'))).resolves.toBeNull();
  },
);

browserTest('GraphiQL renders and loads the schema with every outside host unreachable', async () => {
  const { page, errors } = await b.newPage();
  const response = await page.goto(`${b.url}/graphql`);
  expect(response?.headers()['content-type']).toMatch(/text\/html/);
  await page.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
  // The schema came from the hub: the documentation explorer lists the root type.
  await page.getByRole('button', { name: /documentation explorer/i }).click();
  await page.getByText('Query', { exact: true }).first().waitFor();
  await b.screenshot(page, 'graphiql');
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

browserTest(
  'a focal point uploads an XLSX workbook: a bad cell is shown by sheet and cell; the fixed workbook is submitted',
  async () => {
    const focal = await b.newPage();
    await b.signIn(focal.page, await b.hub.token('FOCAL_POINT', 'CHE'));
    await focal.page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
    const workbook = async (value: string | number) => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('Data');
      sheet.addRow(['country', 'indicator', 'reference_year', 'value', 'source_type']);
      sheet.addRow(['CHE', 'IMM_FLOW', 2019, value, 'POP_REGISTER']);
      const path = join(scratch, 'upload.xlsx');
      await book.xlsx.writeFile(path);
      return path;
    };

    // A text in the value cell: shown at its sheet and cell, nothing written, nothing to submit.
    await focal.page.getByLabel('CSV or XLSX file').setInputFiles(await workbook('about 150000'));
    await focal.page.getByTestId('workbook').filter({ hasText: 'upload.xlsx' }).waitFor();
    await focal.page.getByRole('button', { name: 'Check' }).click();
    const problem = focal.page.getByTestId('problems').locator('tbody tr').first();
    await expect(problem.locator('td').nth(0).innerText()).resolves.toBe('2');
    await expect(problem.locator('td').nth(1).innerText()).resolves.toBe('value');
    await expect(problem.locator('td').nth(3).innerText()).resolves.toBe('Data ! D2');
    await expect(focal.page.getByRole('button', { name: 'Submit' }).isDisabled()).resolves.toBe(true);
    await expectAccessible(focal.page);
    await b.screenshot(focal.page, 'upload-xlsx-problem');

    // Fixed in the spreadsheet and chosen again: checked, then submitted.
    await focal.page.getByLabel('CSV or XLSX file').setInputFiles(await workbook(150000));
    await focal.page.getByRole('button', { name: 'Check' }).click();
    await expect(focal.page.getByTestId('import-outcome').innerText()).resolves.toMatch(
      /^No problems: 1 row, 1 submission,/,
    );
    await focal.page.getByRole('button', { name: 'Submit' }).click();
    await focal.page
      .getByTestId('import-outcome')
      .filter({ hasText: /^Written: 1 new submission version \(/ })
      .waitFor();
    const own = focal.page.getByTestId('own-submissions').getByRole('row', { name: /IMM_FLOW\s+2019/ });
    await expect(own.innerText()).resolves.toMatch(/Submitted/);
    const stored = data(
      await b.hub.gql<{ submissions: { nodes: { status: string; total: { value: number } | null }[] } }, object>(
        `{ submissions(filter: { country: "CHE", indicator: "IMM_FLOW", fromYear: 2019, toYear: 2019 }) { nodes { status total { value } } } }`,
        {},
        { token: await b.hub.token('TASK_FORCE') },
      ),
    ).submissions.nodes;
    expect(stored).toEqual([{ status: 'SUBMITTED', total: { value: 150000 } }]);
    expect(focal.errors).toEqual([]);
  },
);

browserTest(
  'a focal point uploads a file with an error, fixes it, submits; the task force validates and publishes; anonymous coverage counts it',
  async () => {
    const anonymous = await b.newPage();
    await anonymous.page.goto(`${b.url}/coverage?bb=EMIGRATION_FLOW`);
    await anonymous.page.locator('.heatmap svg').waitFor();
    const before = await summary(anonymous.page, 'EMI_FLOW', 'reporting');

    // The focal point: a bad value on line 3 is shown at its line and column; nothing is written.
    const focal = await b.newPage();
    await b.signIn(focal.page, await b.hub.token('FOCAL_POINT', 'CHE'));
    await focal.page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
    const bad = [
      'country,indicator,reference_year,value,source_type,SEX',
      'CHE,EMI_FLOW,2022,120000,POP_REGISTER,_T',
      'CHE,EMI_FLOW,2022,about 60000,POP_REGISTER,F',
      '',
    ].join('\n');
    const path = join(scratch, 'upload.csv');
    writeFileSync(path, bad);
    await focal.page.getByLabel('CSV or XLSX file').setInputFiles(path);
    // The page reads the file asynchronously: wait for the text to arrive before comparing it.
    await focal.page.waitForFunction(
      (expected) => [...document.querySelectorAll('textarea')].some((t) => t.value === expected),
      bad,
    );
    await expect(focal.page.getByLabel(/^Content of/).inputValue()).resolves.toBe(bad);
    await expect(focal.page.getByRole('button', { name: 'Submit' }).isDisabled()).resolves.toBe(true);
    await focal.page.getByRole('button', { name: 'Check' }).click();
    const problem = focal.page.getByTestId('problems').locator('tbody tr').first();
    await expect(problem.locator('td').nth(0).innerText()).resolves.toBe('3');
    await expect(problem.locator('td').nth(1).innerText()).resolves.toBe('value');
    await expectAccessible(focal.page);
    await b.screenshot(focal.page, 'upload-problem');
    // Fixed in place, checked again, then submitted.
    await focal.page.getByLabel(/^Content of/).fill(bad.replace('about 60000', '60000'));
    await focal.page.getByRole('button', { name: 'Check' }).click();
    await expect(focal.page.getByTestId('import-outcome').innerText()).resolves.toMatch(
      /^No problems: 2 rows, 1 submission,/,
    );
    await focal.page.getByRole('button', { name: 'Submit' }).click();
    await focal.page
      .getByTestId('import-outcome')
      .filter({ hasText: /^Written: 1 new submission version \(/ })
      .waitFor();
    // Submitted: the hint on when Submit becomes available no longer stands beside the outcome.
    await expect(focal.page.getByText(/^Submit is available once/).count()).resolves.toBe(0);
    const own = focal.page.getByTestId('own-submissions').getByRole('row', { name: /EMI_FLOW\s+2022/ });
    await expect(own.innerText()).resolves.toMatch(/Submitted/);
    // Newest first (the API's default order, asked for explicitly): the version just submitted heads the list.
    await expect(focal.page.getByTestId('own-submissions').locator('tbody tr').first().innerText()).resolves.toMatch(
      /^EMI_FLOW\s+2022/,
    );
    await expectAccessible(focal.page);
    await b.screenshot(focal.page, 'upload-submitted');

    // The task force: validate, then publish, from the queue.
    const tf = await b.newPage();
    await b.signIn(tf.page, await b.hub.token('TASK_FORCE'));
    await tf.page.getByRole('navigation').getByRole('link', { name: 'Review' }).click();
    await tf.page.getByLabel('Select Switzerland EMI_FLOW 2022 version 1').check();
    await expectAccessible(tf.page);
    await b.screenshot(tf.page, 'review-queue');
    await tf.page.getByRole('button', { name: 'Validate selected (1)' }).click();
    await tf.page
      .getByTestId('review-outcome')
      .filter({ hasText: /^Validated 1 of 1\./ })
      .waitFor();
    await tf.page.getByLabel('Show').selectOption('VALIDATED');
    await tf.page.getByLabel('Select Switzerland EMI_FLOW 2022 version 1').check();
    await tf.page.getByLabel('Comment, or the reason when rejecting').fill('Checked against the FSO release');
    await tf.page.getByRole('button', { name: 'Publish selected (1)' }).click();
    await tf.page
      .getByTestId('review-outcome')
      .filter({ hasText: /^Published 1 of 1\./ })
      .waitFor();

    // Anonymous again: the published submission now counts.
    await anonymous.page.reload();
    await anonymous.page.locator('.heatmap svg').waitFor();
    expect(await summary(anonymous.page, 'EMI_FLOW', 'reporting')).toBe(before + 1);
    await focal.page.reload();
    await showingPage(focal, async () => {
      await focal.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
      await expect(own.innerText()).resolves.toMatch(/Published/);
    });
  },
);

// Last: it adds a submission to the review queue, which the tests above do not expect there.
browserTest('at a phone’s width (375 px) no page scrolls sideways; a wide table scrolls in its own box', async () => {
  // Something in the queue, for its table.
  const imported = data(
    await b.hub.gql<{ importSubmissions: { ok: boolean } }, object>(
      `mutation($csv: String!) { importSubmissions(input: { csv: $csv }) { ok } }`,
      { csv: 'country,indicator,reference_year,value,source_type\nISL,IMM_FLOW,2021,12000,POP_REGISTER\n' },
      { token: await b.hub.token('FOCAL_POINT', 'ISL') },
    ),
  );
  expect(imported.importSubmissions.ok).toBe(true);
  const { page, errors } = await b.newPage();
  await page.setViewportSize({ width: 375, height: 800 });
  const wide: string[] = [];
  /** Opens a page (or names what the current one now shows), waits for what shows it loaded, and notes it when the
   *  document is wider than the window. */
  const visit = async (path: string, loaded: () => Promise<unknown>) => {
    if (path.startsWith('/')) await page.goto(`${b.url}${path}`);
    await showingPage({ page, errors }, async () => {
      await loaded();
      // The sections that load on their own, and the charts drawn in an effect after a render, widen a page too.
      await page
        .getByText(/^Loading .*…$/)
        .first()
        .waitFor({ state: 'detached' });
      await page.waitForFunction(() => [...document.querySelectorAll('[role=figure]')].every((f) => f.firstChild));
    });
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    if (scrollWidth > innerWidth) wide.push(`${path}: ${scrollWidth} px`);
  };
  const table = (testId: string) => () => page.getByTestId(testId).locator('tbody tr').first().waitFor();
  // Once a select has its options: it is as wide as its longest one.
  const options = (label: string, text: string) => () =>
    page.getByLabel(label).locator('option', { hasText: text }).waitFor({ state: 'attached' });
  await visit('/', () => page.locator('.heatmap svg').waitFor());
  await visit('/coverage?region=150&as=table', table('heatmap-table'));
  await visit('/coverage?view=regions', () => page.locator('.heatmap svg').waitFor());
  await visit('/indicators', () => page.getByRole('link', { name: 'IMM_STOCK', exact: true }).waitFor());
  await visit('/indicators/IMM_STOCK', table('series'));
  await visit('/countries', () => page.getByRole('main').getByRole('table').locator('tbody tr').first().waitFor());
  await visit('/countries/CHE?accountYear=2020', table('account'));
  // The account's eleven columns do not fit: its box scrolls, and is a named region in the tab order.
  const accountBox = page.getByRole('region', { name: 'Population account components (scrolls sideways)' });
  await expect(accountBox.getAttribute('tabindex')).resolves.toBe('0');
  await expectAccessible(page);
  await visit('/gaps', async () => {
    await table('gaps')();
    await options('Indicator', 'IMM_STOCK —')();
  });
  await visit('/data', async () => {
    await options('Indicator', 'IMM_STOCK —')();
    await options('Country or area', 'Switzerland')();
  });
  await visit('/implementation', table('implementation-matrix'));
  await visit('/sign-in', () => page.getByLabel('API token').waitFor());

  // A focal point's upload page, with the problems of a file and a comment thread open.
  await b.signIn(page, await b.hub.token('FOCAL_POINT', 'CHE'));
  await visit('/upload', table('own-submissions'));
  await page
    .getByLabel(/^Content/)
    .fill(
      'country,indicator,reference_year,value,source_type,note\nCHE,IMM_STOCK,2021,about 2.5 million,CENSUS,A note\n',
    );
  await page.getByRole('button', { name: 'Check' }).click();
  await page.getByTestId('own-submissions').locator('summary').first().click();
  await visit('upload: a file checked', table('problems'));
  await visit('upload: a comment thread', () =>
    page.getByTestId('comment-thread').first().getByRole('textbox').waitFor(),
  );
  await expectAccessible(page);

  // The task force's review queue, and a country profile with its declaration forms open.
  await b.signIn(page, await b.hub.token('TASK_FORCE'));
  await visit('/review', table('queue'));
  await expectAccessible(page);
  await visit('/countries/CHE', table('country-implementation'));
  await page.getByTestId('adoption-forms').first().locator('summary').click();
  await visit('country: a declaration form', () =>
    page.getByTestId('adoption-forms').first().getByLabel('Status').waitFor(),
  );
  await expectAccessible(page);
  await b.screenshot(page, 'phone-country-task-force');
  expect(wide).toEqual([]);
  expect(errors).toEqual([]);
});
