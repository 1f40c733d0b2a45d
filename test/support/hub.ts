// A whole hub over a test database: the real Yoga handler, called in-process through yoga.fetch.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { pino } from 'pino';
import { createToken, type Role } from '../../src/access/tokens.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createApi, type Api } from '../../src/http/yoga.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface Hub {
  db: TestDatabase;
  api: Api;
  config: Config;
  /** Creates a token through the same code as `migstat token create`. */
  token(role: Role, country?: string): Promise<string>;
  /** Runs an operation over HTTP semantics (POST /graphql) and returns the parsed body. */
  gql<R, V>(
    doc: TypedDocumentNode<R, V> | string,
    variables?: V,
    opts?: { token?: string },
  ): Promise<ExecutionResult<R>>;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Seeded (the default) or empty. */
  seed?: boolean;
  /** Environment the hub's config is read from, beside NODE_ENV=test. */
  env?: Record<string, string>;
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  // Seeded unless asked not to: a copy of the run's seeded template (test/support/db.ts).
  const db = await createTestDatabase({ seed: options.seed !== false });
  // TEST_LOG_LEVEL=error prints the internal errors that the API masks.
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...options.env });
  const api = createApi({ config, db, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  return {
    db,
    api,
    config,
    token: async (role, country) => (await createToken(db.prisma, { role, country })).token,
    async gql(doc, variables, opts = {}) {
      const query = typeof doc === 'string' ? doc : print(doc);
      const res = await api.fetch('http://hub.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as ExecutionResult<never>;
    },
    async close() {
      // What the API holds open (a rate limiter's Redis connection), then the database.
      await api.dispose();
      await db.close();
    },
  };
}

/** A hub and an ADMIN token on it, as most test files begin: `({ hub, admin } = await startHubAsAdmin())`. */
export async function startHubAsAdmin(options: HubOptions = {}): Promise<{ hub: Hub; admin: string }> {
  const hub = await startHub(options);
  return { hub, admin: await hub.token('ADMIN') };
}

/** The data of a result that must have no errors (fails with the errors otherwise). */
export function data<R>(result: ExecutionResult<R>): R {
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  if (!result.data) throw new Error('no data in result');
  return result.data;
}

/**
 * Several mutations, one request each (a request runs one mutation), in order: `{ a: 'createDataSource(…) { … }' }`
 * sends `mutation { a: createDataSource(…) { … } }`. The data of each, by its key; fails on any error.
 */
export async function mutateEach<R extends Record<string, unknown>>(
  hub: Hub,
  token: string,
  fields: Record<keyof R & string, string>,
): Promise<R> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields) as [string, string][]) {
    const result = data(
      await hub.gql<Record<string, unknown>, undefined>(`mutation { ${key}: ${field} }`, undefined, { token }),
    );
    out[key] = result[key];
  }
  return out as R;
}

const IMPORT_CSV = `mutation ImportCsv($csv: String!) {
  importSubmissions(input: { csv: $csv }) { ok problems { line column message } }
}`;

/**
 * Imports a submissions CSV (`header` and `rows`) through the API as `token`, as a client would, and fails the test
 * with the refused lines unless every line was written.
 */
export async function importCsv(hub: Pick<Hub, 'gql'>, token: string, header: string, rows: readonly string[]) {
  const result = data(
    await hub.gql<{ importSubmissions: { ok: boolean; problems: unknown[] } }, { csv: string }>(
      IMPORT_CSV,
      { csv: `${[header, ...rows].join('\n')}\n` },
      { token },
    ),
  );
  expect(result.importSubmissions).toEqual({ ok: true, problems: [] });
}
