// Throwaway PostgreSQL servers of this machine's installation, for the streaming-replica test and bench: a primary
// (initdb) and a physical replica of it (pg_basebackup -R -X stream), each a postmaster of its own on a free loopback
// port with its socket in its own folder. Run as the `postgres` OS user when this process is root (PostgreSQL refuses
// root). The shared server on 5432 is never used for this: its pg_hba.conf admits no replication connection.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** The newest /usr/lib/postgresql/<version>/bin, or PG_BIN. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (set PG_BIN)');
  return join(root, newest, 'bin');
}

/** uid/gid to run the server binaries as: the postgres user when we are root, ourselves otherwise. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(postgresBin(), bin), args, { ...owner(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${stderr}`))));
  });
}

export interface Server {
  port: number;
  dataDir: string;
  /** postgresql:// URL of a database on it. */
  url(database?: string): string;
  /** The server's log (stderr) so far. */
  log(): string;
  /** Fast shutdown (SIGINT); resolves when the postmaster has exited. */
  stop(): Promise<void>;
}

async function start(dataDir: string, socketDir: string, settings: string[]): Promise<Server> {
  const port = await freePort();
  const args = ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1'];
  for (const s of settings) args.push('-c', s);
  const child: ChildProcess = spawn(join(postgresBin(), 'postgres'), args, {
    ...owner(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  // A postmaster outlives its parent: stop it when this process exits, however it exits (short of SIGKILL).
  const orphanGuard = () => child.kill('SIGINT');
  process.once('exit', orphanGuard);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.removeListener('exit', orphanGuard);
      resolve();
    }),
  );
  const url = (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  // Ready when it accepts a query (a standby accepts them once consistent, hot_standby being on by default).
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited ${child.exitCode}: ${log}`);
    const client = new pg.Client({ connectionString: url() });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    dataDir,
    url,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    },
  };
}

/** Makes `dir` (e.g. a scratch folder of root's) the servers' user's, so that they can enter it. */
export function handToServers(dir: string): void {
  const o = owner();
  if (o) chownSync(dir, o.uid, o.gid);
}

/** A folder under `parent` owned by the user the servers run as. */
function ownedDir(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { mode: 0o700 });
  const o = owner();
  if (o) chownSync(dir, o.uid, o.gid);
  return dir;
}

/**
 * A new primary in `parent`/primary: initdb (trust on loopback, replication included) and a postmaster, with extra
 * `settings` ("name=value").
 */
export async function startPrimary(parent: string, settings: string[] = []): Promise<Server> {
  const base = ownedDir(parent, 'primary');
  const dataDir = join(base, 'data');
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // wal_level=replica and max_wal_senders=10 are PostgreSQL's defaults; fsync off: a throwaway server.
  return start(dataDir, base, ['fsync=off', 'shared_buffers=32MB', ...settings]);
}

export interface ReplicaServer extends Server {
  /** How long pg_basebackup took, in milliseconds. */
  basebackupMs: number;
}

/**
 * A streaming replica of `primary` in `parent`/<name>: pg_basebackup -R (standby.signal and primary_conninfo
 * written) -X stream -c fast (an immediate checkpoint: the default spread one made it wait two minutes), then a
 * postmaster that logs every statement it runs (how the test sees where reads went).
 */
export async function startReplica(parent: string, primary: Server, name = 'replica'): Promise<ReplicaServer> {
  const base = ownedDir(parent, name);
  const dataDir = join(base, 'data');
  const began = performance.now();
  const args = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir];
  await run('pg_basebackup', [...args, '-R', '-X', 'stream', '-c', 'fast']);
  const basebackupMs = performance.now() - began;
  const server = await start(dataDir, base, ['shared_buffers=32MB', 'log_statement=all']);
  return { ...server, basebackupMs };
}

/** Waits until `replica` has replayed the primary's WAL up to where it is now. */
export async function caughtUp(primary: pg.ClientBase, replica: pg.ClientBase): Promise<void> {
  const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  for (;;) {
    const r = await replica.query<{ behind: boolean }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [
      rows[0]!.lsn,
    ]);
    if (!r.rows[0]!.behind) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
