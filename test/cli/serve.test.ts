// `migstat serve` as a process: migrates and seeds an empty database, serves the catalogue, stops on SIGTERM.
import { spawn } from 'node:child_process';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';

let target: CliTarget;
beforeAll(async () => {
  // Created but never migrated, on PGlite and PostgreSQL alike: serve migrates and seeds it.
  target = await cliTarget({ database: 'empty' });
});
afterAll(() => target?.dispose());

test('serve on an empty database seeds it and answers with the whole catalogue; SIGTERM stops it cleanly', async () => {
  const child = spawn(process.execPath, [migstatBin, 'serve'], {
    env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...target.env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        const entry = JSON.parse(line) as Record<string, unknown>; // structured logs only
        logs.push(entry);
        if (entry.msg === 'serving') resolve(String(entry.url));
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${JSON.stringify(logs)}`)));
  });
  try {
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['applied migrations', 'seeded an empty database']));
    expect((await fetch(url.replace('/graphql', '/ready'))).status).toBe(200);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ countries { totalCount } indicators { totalCount } sourceTypes { code } }' }),
    });
    const body = await res.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.countries.totalCount).toBe(248);
    expect(body.data.indicators.totalCount).toBe(15);
    expect(body.data.sourceTypes).toHaveLength(10);
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
  expect(logs.map((l) => l.msg)).toContain('shutting down');
});
