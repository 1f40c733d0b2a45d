// The web app on a connection that drops (a focal point on a slow, unreliable link), in a real browser
// (test/support/browser.ts): a page's code or a GraphQL request that gets no answer says so and offers to try again,
// and what was typed in a submission form is kept. The connection is cut with page.route (aborted as
// `internetdisconnected`, what Chromium reports for a dropped link) and restored by removing the route. And the
// chart library, three quarters of a first visit's bytes, is loaded only by a page that draws a chart.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIST } from '../../src/http/static.js';
import { showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

const UNREACHABLE = /The hub could not be reached/;

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub();
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

browserTest('a page whose code does not arrive says so, and "Try again" opens it once the link is back', async () => {
  const target = await b.newPage();
  const { page } = target;
  await showingPage(target, async () => {
    await page.goto(`${b.url}/countries`);
    await page.getByRole('heading', { level: 1, name: 'Countries and areas' }).waitFor();
    // The Indicators page's code has not been loaded in this tab yet; the link drops while it is fetched.
    await page.route('**/assets/indicators-*.js', (route) => route.abort('internetdisconnected'));
    await page.getByRole('navigation').getByRole('link', { name: 'Indicators' }).click();
    // Before: the Countries page stayed on screen under /indicators, with no word, until a reload.
    await page.getByRole('heading', { level: 1, name: 'Page not loaded' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'This page could not be loaded' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/indicators');

    await page.unroute('**/assets/indicators-*.js');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: 'Indicators' }).waitFor();

    // Another page and back: the page is there at once, not the failure.
    await page.getByRole('navigation').getByRole('link', { name: 'Countries' }).click();
    await page.getByRole('heading', { level: 1, name: 'Countries and areas' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Indicators' }).waitFor();
  });
});

browserTest('a read that gets no answer says the hub could not be reached, with "Try again"', async () => {
  const target = await b.newPage();
  const { page } = target;
  await showingPage(target, async () => {
    await page.route('**/graphql', (route) => route.abort('internetdisconnected'));
    // The home page (coverage), then the list of countries: each tries a few times by itself, then says so.
    await page.goto(`${b.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Coverage' }).waitFor();
    await page.getByRole('main').getByRole('alert').filter({ hasText: UNREACHABLE }).waitFor();
    const tryAgain = page.getByRole('main').getByRole('button', { name: 'Try again' });
    await tryAgain.waitFor();

    await page.getByRole('navigation').getByRole('link', { name: 'Countries' }).click();
    await page.getByRole('heading', { level: 1, name: 'Countries and areas' }).waitFor();
    await page.getByRole('main').getByRole('alert').filter({ hasText: UNREACHABLE }).waitFor();

    // The link is back: "Try again" reads the list, without reloading the page.
    await page.unroute('**/graphql');
    await tryAgain.click();
    await page
      .getByRole('main')
      .getByRole('status')
      .filter({ hasText: /^\d+ countries and areas$/ })
      .waitFor();
    await page.getByRole('main').locator('table tbody tr').first().waitFor();
    await expect(page.getByRole('main').getByRole('alert').count()).resolves.toBe(0);
  });
});

browserTest('a check of a submissions file that gets no answer keeps the file and says why', async () => {
  const target = await b.newPage();
  const { page } = target;
  await b.signIn(page, await b.hub.token('FOCAL_POINT', 'CHE'));
  const csv = 'country,indicator,reference_year,value\nCHE,IMM_STOCK,2023,2400000\n';
  await showingPage(target, async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
    const content = page.getByLabel(/^Content/);
    await content.fill(csv);
    await page.route('**/graphql', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByRole('main').getByRole('alert').filter({ hasText: UNREACHABLE }).waitFor();
    await expect(content.inputValue()).resolves.toBe(csv);

    await page.unroute('**/graphql');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page
      .getByTestId('import-outcome')
      .filter({ hasText: /^No problems/ })
      .waitFor();
    await expect(content.inputValue()).resolves.toBe(csv);
  });
});

browserTest('a country page without a chart does not load the chart library; a coverage page does', async () => {
  const target = await b.newPage();
  const { page } = target;
  // Plot's chunk, whatever the build names it: the one file holding Plot's class-name prefix (so a stale marker fails
  // here, not silently).
  const assets = readdirSync(join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.js'));
  const plot = assets.filter((f) => readFileSync(join(WEB_DIST, 'assets', f), 'utf8').includes('plot-d6a7b5'));
  expect(plot).toHaveLength(1);
  const loadedPlot = () =>
    page.evaluate(
      (name) => performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname === `/assets/${name}`),
      plot[0]!,
    );
  await showingPage(target, async () => {
    // The seed has no population account, so Switzerland's profile draws no chart.
    await page.goto(`${b.url}/countries/CHE`);
    await page.getByRole('heading', { level: 1, name: 'Switzerland' }).waitFor();
    // Every section has loaded: the last to settle says there is no account.
    await page.getByText(/^No population account for \d+–\d+/).waitFor();
    for (const section of ['Core indicators', 'Data sources', 'Submissions']) {
      await page.getByRole('heading', { level: 2, name: section }).waitFor();
    }
    await expect(
      page
        .getByRole('main')
        .getByText(/^Loading .*…$/)
        .count(),
    ).resolves.toBe(0);
    await expect(loadedPlot()).resolves.toBe(false);

    await page.getByRole('navigation').getByRole('link', { name: 'Coverage' }).click();
    await page.getByRole('main').getByRole('figure').locator('svg').first().waitFor();
    await expect(loadedPlot()).resolves.toBe(true);
  });
});
