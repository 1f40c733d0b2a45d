// Browser tests: Debian's Chromium driven by playwright-core against a hub listening on a local port (the real HTTP
// server of src/http/server.ts over a test database). Every request to another host is blocked and recorded, so a
// test can assert that a page needed nothing from outside.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pino } from 'pino';
import { projectRoot } from '../../src/platform/paths.js';
import { listen } from '../../src/http/server.js';
import { artifactPath } from './artifacts.js';
import { dbKind, testRun } from './db.js';
import { startHub, type Hub } from './hub.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * web/dist as npm install builds it; rebuilt here when the sources are newer (scripts/build-web.mjs). Built for
 * production, as npm install does: under Jest's NODE_ENV=test Vite's Preact preset adds preact/debug, whose warnings
 * (console errors, which the tests count) would then differ between a local run and CI's. Checked once per test run
 * (a mark in the run's directory): the check is a Node process of its own, which every browser file used to start.
 */
export function ensureWebBuilt(): void {
  const run = testRun();
  const checked = run && join(run.dir, 'web-built');
  if (checked && existsSync(checked)) return;
  const r = spawnSync(process.execPath, ['scripts/build-web.mjs', '--if-stale'], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`building the web app failed:\n${r.stdout}\n${r.stderr}`);
  if (checked) writeFileSync(checked, '');
}

export interface BrowserHub {
  hub: Hub;
  server: Server;
  url: string;
  browser: Browser;
  /** Requests the pages tried to send to any host but the hub (all of them blocked). */
  outside: string[];
  newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  /** Signs the page in with a token through the sign-in page, and waits for the banner to say so. */
  signIn(page: Page, token: string): Promise<void>;
  /** Revokes a token through the API, as an ADMIN would while its holder has a page open. */
  revoke(token: string): Promise<void>;
  /** A full-page screenshot in tmp/browser/ when artifacts are kept (TEST_ARTIFACTS=1; test/support/artifacts.ts). */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserHub(options: { prepare?: (hub: Hub) => Promise<void> } = {}): Promise<BrowserHub> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  ensureWebBuilt();
  // Chromium starts while the hub loads its database and the test's data (mostly this process's CPU, where the
  // browser's start is mostly its own processes'): two seconds less per file on two cores.
  const launching = chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const serving = (async () => {
    const hub = await startHub({ env: { HOST: '127.0.0.1', PORT: '0', GRAPHIQL: 'true' } });
    try {
      await options.prepare?.(hub);
      return { hub, server: await listen({ config: hub.config, db: hub.db, logger: pino({ level: 'silent' }) }) };
    } catch (e) {
      await hub.close();
      throw e;
    }
  })();
  const [browser, { hub, server }] = await Promise.all([launching, serving]).catch(async (e: unknown) => {
    // Whichever half started is stopped.
    await Promise.allSettled([launching.then((b) => b.close()), serving.then(stopServing)]);
    throw e;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const outside: string[] = [];
  return {
    hub,
    server,
    url,
    browser,
    outside,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      await context.route('**/*', (route) => {
        const target = new URL(route.request().url());
        if (target.host === `127.0.0.1:${port}`) return route.continue();
        outside.push(target.href);
        return route.abort('internetdisconnected');
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      // A request to the hub that got no answer (cancelled ones aside) is an error of the page too.
      page.on('requestfailed', (r) => {
        const failure = r.failure()?.errorText ?? 'failed';
        if (new URL(r.url()).host === `127.0.0.1:${port}` && !/ERR_ABORTED/.test(failure)) {
          errors.push(`${r.method()} ${r.url()}: ${failure}`);
        }
      });
      return { context, page, errors };
    },
    async signIn(page, token) {
      await page.goto(`${url}/sign-in`);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The sign-in page leaves for the home page once the hub has accepted the token and the session is stored. The
      // banner alone is no sign when the page was signed in already (it says Sign out throughout): a test that went on
      // then opened its next page under the previous token.
      await page.waitForURL((u) => u.pathname !== '/sign-in');
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    },
    async revoke(token) {
      const answer = await hub.gql<{ revokeToken: { revokedCount?: number } }, object>(
        `mutation($p: String!) { revokeToken(input: { prefix: $p }) { ... on RevokeTokenPayload { revokedCount } } }`,
        { p: token.slice(0, 10) },
        { token: await hub.token('ADMIN') },
      );
      if (answer.data?.revokeToken.revokedCount !== 1) throw new Error(`revoking: ${JSON.stringify(answer)}`);
    },
    async screenshot(page, name) {
      const path = artifactPath(`browser/${dbKind}-${name}.png`);
      if (path) await page.screenshot({ path, fullPage: true });
    },
    async close() {
      // The browser closes its contexts itself.
      await browser.close();
      await stopServing({ hub, server });
    },
  };
}

async function stopServing({ hub, server }: { hub: Hub; server: Server }): Promise<void> {
  // Idle keep-alive connections (a test's own fetch() keeps one) would hold close() for their whole timeout: 20 s of
  // the data-access file. They are closed at once, after close() has stopped new ones.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await hub.close();
}

/** Runs browser steps; when one fails, the error also carries what the page showed and its errors, to tell a slow
 *  page from a wrong one in a CI log. */
export async function showingPage(target: { page: Page; errors: string[] }, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (e) {
    const text = await target.page
      .locator('body')
      .innerText({ timeout: 5_000 })
      .catch(() => '(unreadable)');
    (e as Error).message +=
      `\n\nPage ${target.page.url()} showed:\n${text}\nPage errors: ${JSON.stringify(target.errors)}`;
    throw e;
  }
}

const AXE = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** WCAG 2.1 A and AA rules of axe-core (contrast, labels, names, structure): none may fail on the page. */
export async function expectAccessible(page: Page): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy stays as served.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { html: string }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes[0]?.html.slice(0, 120)}`);
  });
  expect(violations).toEqual([]);
}
