// examples/portal-sync: the script mirrors the published data into a CSV from the change feed, stops part-way
// (--max-pages), resumes from its saved cursor after more changes, and ends holding what a full download holds.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { projectRoot } from '../../src/platform/paths.js';
import { BASE_COLUMNS } from '../../src/submissions/submissions.export.js';
import { importCsv, startHub, type Hub } from '../support/hub.js';
import { downloadedRows } from './feed-support.js';

const script = join(projectRoot, 'examples', 'portal-sync', 'sync.mjs');
let hub: Hub;
let server: Server;
let url: string;
let dir: string;
let admin: string;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  server = createServer(hub.api);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  dir = mkdtempSync(join(tmpdir(), 'portal-sync-'));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

function sync(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, join(dir, 'mirror.csv'), ...args],
      { env: { ...process.env, HUB_URL: url } },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

const importRows = (lines: string[]) =>
  importCsv(hub, admin, 'country,indicator,reference_year,value,source_type,status,note,SEX', lines);

/** The mirror's rows, normalised as feed-support's downloadedRows normalises the download's. */
function mirrorRows(): string[] {
  const base: readonly string[] = BASE_COLUMNS;
  const records = parse(readFileSync(join(dir, 'mirror.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return records
    .map((r) =>
      JSON.stringify([
        ...base.map((c) => r[c] ?? ''),
        Object.entries(r)
          .filter(([k, v]) => !base.includes(k) && v)
          .map(([k, v]) => `${k}=${v}`)
          .sort()
          .join(';'),
      ]),
    )
    .sort();
}

test('the mirror resumes from its cursor after an interruption and ends equal to the download', async () => {
  // The seed's catalogue changes: the mirror passes them (it keeps observations only) and holds nothing yet.
  expect(await sync()).toMatchObject({ code: 0 });
  expect(mirrorRows()).toEqual([]);
  await importRows([
    'CHE,IMM_STOCK,2018,100,CENSUS,PUBLISHED,first,',
    'CHE,IMM_STOCK,2018,55,CENSUS,PUBLISHED,first,F',
    'FRA,IMM_STOCK,2018,200,,PUBLISHED,,',
    'DEU,IMM_STOCK,2018,300,,PUBLISHED,,',
    'ITA,IMM_STOCK,2018,999,,VALIDATED,,',
  ]);
  // Interrupted after one page of two changes.
  expect(await sync('--page-size', '2', '--max-pages', '1')).toMatchObject({ code: 0 });
  const state = JSON.parse(readFileSync(join(dir, 'mirror.csv.state.json'), 'utf8')) as { cursor: string };
  expect(state.cursor).toMatch(/^p:\d+$/); // the published feed's own sequence (README "Change feed")
  expect(mirrorRows()).toHaveLength(2); // the first two keys in sequence order, one observation each
  // Meanwhile: a revision supersedes CHE, a new key appears.
  await importRows(['CHE,IMM_STOCK,2018,110,CENSUS,PUBLISHED,revised,', 'ESP,IMM_STOCK,2018,400,,PUBLISHED,,']);
  const resumed = await sync('--page-size', '2');
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(/synced \d+ page\(s\); cursor p:\d+/);
  const expected = await downloadedRows(hub, undefined);
  expect(mirrorRows()).toEqual(expected);
  expect(expected.join()).toContain('revised');
  expect(expected.join()).not.toContain('999');
  // Nothing new: a run changes nothing.
  await sync();
  expect(mirrorRows()).toEqual(expected);
});

test('--help says how to run it and syncs nothing; an unknown option is refused (exit 2)', async () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [script, join(dir, 'help.csv'), ...args],
        { env: { ...process.env, HUB_URL: url } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const help = await run('--help');
  expect(help).toMatchObject({ code: 0, stderr: '' });
  expect(help.stdout).toMatch(/^Usage: node sync\.mjs \[FILE\] \[--follow\]/);
  const bogus = await run('--folow');
  expect(bogus).toEqual({ code: 2, stdout: '', stderr: 'sync.mjs: unknown option --folow (--help lists them)\n' });
  // Neither read the feed nor wrote a mirror.
  expect(existsSync(join(dir, 'help.csv'))).toBe(false);
  expect(existsSync(join(dir, 'help.csv.state.json'))).toBe(false);
});
