// Registering a country's data sources from its profile in a real browser (test/support/browser.ts): the country's
// focal point fills in the form and the new source is listed, as the API then gives it; a duplicate code, an empty
// name and a year that is not one are refused by field with nothing written and nothing typed lost; the form is
// offered to the country's focal point and the task force, and to no one else.
import type { Locator, Page } from 'playwright-core';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importDataSources } from '../../src/submissions/sources.import.js';
import { graphql } from '../gql/index.js';
import { expectAccessible, showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { data } from '../support/hub.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

const SOURCES_CSV = `code,country,source_type,name,agency,periodicity,latest_year,residence_criterion
NOR_REGISTER,NOR,POP_REGISTER,Norwegian population register,Statistics Norway,annual,2024,OPTION_I
`;

const CountrySources = graphql(`
  query RegisteredSources($code: String!) {
    country(code: $code) {
      dataSources(first: 100) {
        totalCount
        nodes {
          code
          name
          agency
          periodicity
          latestYear
          residenceCriterion
          sourceType {
            code
          }
        }
      }
    }
  }
`);

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      await importDataSources(hub.db.prisma, { text: SOURCES_CSV }, CLI_ACTOR);
    },
  });
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

/** Norway's data sources as the API gives them. */
const norway = async () => data(await b.hub.gql(CountrySources, { code: 'NOR' })).country!.dataSources;

/** Norway's profile once its data sources are listed (and, signed in, once the page knows the caller). */
async function openNorway(page: Page) {
  await page.goto(`${b.url}/countries/NOR`);
  await sourcesOf(page)
    .getByRole('rowheader', { name: /NOR_REGISTER/ })
    .waitFor();
  // The forms follow the caller, whom a signed-in page finds out after the load (the banner says so meanwhile).
  await page.getByRole('banner').getByText('Restoring session…').waitFor({ state: 'detached' });
}
const sourcesOf = (page: Page) => page.getByRole('region', { name: 'Data sources' });
/** The registration form, unfolded, with its source types loaded. */
async function openForm(page: Page) {
  const form = page.getByTestId('register-source');
  await form.locator('summary').click();
  await form.getByLabel('Source type').locator('option[value="HH_SURVEY"]').waitFor({ state: 'attached' });
  return form;
}
/** What the form's fields hold, by label. */
const typed = (form: Locator) =>
  form
    .locator('input, select')
    .evaluateAll((els) =>
      Object.fromEntries(
        els.map((el) => [(el as HTMLInputElement).labels![0]!.textContent, (el as HTMLInputElement).value]),
      ),
    );
/** The fields marked invalid, by label. */
const invalid = (form: Locator) =>
  form
    .locator('[aria-invalid="true"]')
    .evaluateAll((els) => els.map((el) => (el as HTMLInputElement).labels![0]!.textContent));

browserTest('the focal point registers a data source: it is listed, and the API gives it as typed', async () => {
  const target = await b.newPage();
  const { page, errors } = target;
  await b.signIn(page, await b.hub.token('FOCAL_POINT', 'NOR'));
  await showingPage(target, async () => {
    await openNorway(page);
    const form = await openForm(page);
    await form.getByLabel('Code').fill('NOR_LFS');
    await form.getByLabel('Name').fill('Labour force survey');
    await form.getByLabel('Source type').selectOption('HH_SURVEY');
    await form.getByLabel('Agency').fill('Statistics Norway');
    await form.getByLabel('Periodicity').fill('quarterly');
    await form.getByLabel('Latest year').fill('2024');
    await form.getByLabel('Residence criterion').selectOption('OPTION_II');
    await form.getByRole('button', { name: 'Register', exact: true }).click();

    // Read again: listed beside the source there was, with what was typed; the form emptied, and says why.
    const row = sourcesOf(page).locator('tbody tr', { hasText: 'NOR_LFS' });
    await row.waitFor();
    await expect(row.locator('th, td').allInnerTexts()).resolves.toEqual(
      expect.arrayContaining([
        'Labour force survey (NOR_LFS)',
        'Household sample surveys (incl. Labour Force Surveys, LSMS, health surveys)',
        'Statistics Norway',
        'quarterly',
        '2024',
        'Option II (12 months, or intent to stay ≥ 12 months)',
      ]),
    );
    await expect(sourcesOf(page).locator('tbody tr').count()).resolves.toBe(2);
    await expect(form.getByRole('status').innerText()).resolves.toBe('Registered Labour force survey (NOR_LFS).');
    expect(await typed(form)).toEqual({
      Code: '',
      Name: '',
      'Source type': '',
      Agency: '',
      Periodicity: '',
      'Latest year': '',
      'Residence criterion': '',
    });
    await expectAccessible(page);
  });
  const sources = await norway();
  expect(sources.totalCount).toBe(2);
  expect(sources.nodes.find((s) => s.code === 'NOR_LFS')).toEqual({
    code: 'NOR_LFS',
    name: 'Labour force survey',
    agency: 'Statistics Norway',
    periodicity: 'quarterly',
    latestYear: 2024,
    residenceCriterion: 'OPTION_II',
    sourceType: { code: 'HH_SURVEY' },
  });
  expect(errors).toEqual([]);
});

browserTest(
  'a duplicate code, an empty name and a year that is not one are refused by field; nothing is written or lost',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    await b.signIn(page, await b.hub.token('FOCAL_POINT', 'NOR'));
    const before = await norway();
    await showingPage(target, async () => {
      await openNorway(page);
      const form = await openForm(page);
      const issues = form.getByTestId('source-issues').locator('li');
      const register = () => form.getByRole('button', { name: 'Register', exact: true }).click();

      // The code of Norway's register, which exists: refused by the hub (ConflictError), the code named.
      await form.getByLabel('Code').fill('NOR_REGISTER');
      await form.getByLabel('Name').fill('Register of foreigners');
      await form.getByLabel('Source type').selectOption('PERMITS');
      await form.getByLabel('Latest year').fill('2023');
      await register();
      await issues.first().waitFor();
      await expect(issues.allInnerTexts()).resolves.toEqual(['Code: Data source "NOR_REGISTER" already exists']);
      expect(await invalid(form)).toEqual(['Code']);
      const kept = {
        Code: 'NOR_REGISTER',
        Name: 'Register of foreigners',
        'Source type': 'PERMITS',
        Agency: '',
        Periodicity: '',
        'Latest year': '2023',
        'Residence criterion': '',
      };
      expect(await typed(form)).toEqual(kept);
      await expectAccessible(page);

      // A new code, but an empty name and a year out of range: the hub names both (ValidationError issues).
      await form.getByLabel('Code').fill('NOR_PERMITS');
      await form.getByLabel('Name').fill('  ');
      await form.getByLabel('Latest year').fill('1200');
      await register();
      await issues.filter({ hasText: 'Name' }).waitFor();
      await expect(issues.allInnerTexts()).resolves.toEqual(['Name: must not be empty', 'Latest year: must be a year']);
      expect(await invalid(form)).toEqual(['Name', 'Latest year']);
      await b.screenshot(page, 'data-source-refused');
      expect(await typed(form)).toEqual({ ...kept, Code: 'NOR_PERMITS', Name: '  ', 'Latest year': '1200' });

      // A year that is not a number: named by the page, as GraphQL would refuse it without saying which field.
      await form.getByLabel('Name').fill('Register of foreigners');
      await form.getByLabel('Latest year').fill('20x3');
      await register();
      await issues.filter({ hasText: 'a year, e.g. 2022' }).waitFor();
      await expect(issues.allInnerTexts()).resolves.toEqual(['Latest year: a year, e.g. 2022']);
      expect(await invalid(form)).toEqual(['Latest year']);
      expect(await typed(form)).toEqual({ ...kept, Code: 'NOR_PERMITS', 'Latest year': '20x3' });
      await expect(form.getByRole('status').count()).resolves.toBe(0);
      await expect(sourcesOf(page).locator('tbody tr').count()).resolves.toBe(before.totalCount);
      await expectAccessible(page);
    });
    expect(await norway()).toEqual(before);
    expect(errors).toEqual([]);
  },
);

browserTest('the task force is offered the form; another country’s focal point and a visitor are not', async () => {
  const taskForce = await b.newPage();
  await b.signIn(taskForce.page, await b.hub.token('TASK_FORCE'));
  const other = await b.newPage();
  await b.signIn(other.page, await b.hub.token('FOCAL_POINT', 'FRA'));
  const anonymous = await b.newPage();
  for (const [who, offered] of [
    [taskForce, 1],
    [other, 0],
    [anonymous, 0],
  ] as const) {
    await showingPage(who, async () => {
      await openNorway(who.page);
      await expect(who.page.getByTestId('register-source').count()).resolves.toBe(offered);
      await expect(
        who.page.getByRole('button', { name: 'Register', exact: true, includeHidden: true }).count(),
      ).resolves.toBe(offered);
    });
    expect(who.errors).toEqual([]);
  }
});
