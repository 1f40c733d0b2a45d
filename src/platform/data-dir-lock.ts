// One owner per embedded PGlite data directory (CONTRACT §6). PGlite is a single-process database: two processes
// on one directory each keep their own buffers and overwrite each other's acknowledged writes.
//
// The lock is an operating-system lock on `<dataDir>/migstat.lock`, taken with fs-native-extensions (Holepunch; an
// open-file-description lock on Linux, flock on macOS, LockFileEx on Windows; prebuilt binaries ship in the npm
// package). The kernel releases it when the holder's file is closed, so a holder killed with SIGKILL never leaves it
// stuck, and no second process (nor a second open in the same process) can take it while it is held. Lock files
// judged stale by age (proper-lockfile and the like) were rejected: PGlite runs its queries synchronously on the
// main thread, so a long statement stops the holder from refreshing the file, and another process would then wrongly
// "break" a live lock. The file also names its holder (pid, command, since, control socket) for the refusal message
// and for the CLI to find the running server; that text is trusted only while the lock is held.
import {
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

const fsx = createRequire(import.meta.url)('fs-native-extensions') as {
  tryLock(fd: number): boolean;
};

export const LOCK_FILE = 'migstat.lock';

export interface LockHolder {
  pid: number;
  /** The command line of the holder, e.g. "migstat serve". */
  command: string;
  /** ISO-8601 time the lock was taken. */
  since: string;
  host: string;
  /** The Unix socket of a running server's control channel (set once the server is ready for commands). */
  control?: string;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      `the PGlite data directory ${dataDir} is in use by ${describeHolder(holder)}; only one process may open it at ` +
        'a time',
    );
  }
}

/** The folder cannot hold a PGlite data directory: it is a file, or a folder of other things. */
export class DataDirUnusableError extends Error {
  constructor(
    readonly dataDir: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`PGLITE_DATA_DIR ${dataDir} ${reason}; point PGLITE_DATA_DIR at an empty or new folder`, options);
  }
}

/**
 * Refuses a folder PGlite must not make its cluster in. Without PG_VERSION PGlite runs initdb, which here accepts a
 * non-empty folder: the database's hundreds of files would be mixed into someone's documents. The lock file alone is
 * the hub's own (a first start that stopped between taking the lock and initdb), not a reason to refuse.
 */
function checkDataDir(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new DataDirUnusableError(dir, 'is a file, not a folder');
    entries = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a new folder, made below
    throw err;
  }
  if (entries.includes('PG_VERSION')) return;
  const others = entries.filter((name) => name !== LOCK_FILE).sort();
  if (!others.length) return;
  const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? ` and ${others.length - 3} more` : '');
  throw new DataDirUnusableError(
    dir,
    `is not empty and is not a PGlite data directory (no PG_VERSION; it holds ${shown})`,
  );
}

/** The lock file opened as it is (no create, no write), or undefined when there is none. */
function openExisting(path: string): number | undefined {
  try {
    return openSync(path, constants.O_RDWR);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return 'another process (it has not named itself yet)';
  return `"${holder.command}" (pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, since ${holder.since})`;
}

export interface DataDirLock {
  readonly dataDir: string;
  readonly holder: LockHolder;
  /** Rewrites the holder's description (e.g. to publish the control socket). */
  update(patch: Partial<LockHolder>): void;
  /** Releases the lock (idempotent). */
  release(): void;
}

/** The command line this process was started with, for the holder's description. */
export function currentCommand(): string {
  const args = process.argv.slice(2);
  const script = process.argv[1] ?? '';
  return /migstat/.test(script) ? `migstat ${args.join(' ')}`.trim() : [script, ...args].join(' ').trim();
}

/**
 * Takes the lock of `dataDir` (created if missing) or throws DataDirBusyError naming the holder, or
 * DataDirUnusableError, having written nothing, when the folder holds other things than a PGlite data directory.
 */
export function lockDataDir(dataDir: string, command = currentCommand()): DataDirLock {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  // With a lock file there, its holder comes first: a process making the cluster owns the folder, files half made by
  // initdb included. Without one, the folder is checked before anything is written into it.
  let fd = openExisting(path);
  const existed = fd !== undefined;
  if (fd === undefined) {
    checkDataDir(dir);
    mkdirSync(dir, { recursive: true });
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  }
  let locked: boolean;
  try {
    locked = fsx.tryLock(fd);
    if (locked && existed) checkDataDir(dir);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (!locked) {
    closeSync(fd);
    throw new DataDirBusyError(dir, readHolder(dir));
  }
  let holder: LockHolder = { pid: process.pid, command, since: new Date().toISOString(), host: hostname() };
  const write = () => {
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
  };
  write();
  let released = false;
  return {
    dataDir: dir,
    get holder() {
      return holder;
    },
    update(patch) {
      if (released) return;
      holder = { ...holder, ...patch };
      write();
    },
    release() {
      if (released) return;
      released = true;
      // Emptied first, so nobody reads a released holder's name; closing the file releases the lock.
      ftruncateSync(fd, 0);
      closeSync(fd);
    },
  };
}

/**
 * The holder named in the lock file of `dataDir`. Only meaningful while the lock is held; a holder that has just
 * taken the lock may not have written its name yet, so an empty file is read again for a moment.
 */
export function readHolder(dataDir: string): LockHolder | null {
  const path = join(resolve(dataDir), LOCK_FILE);
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const text = readFileSync(path, 'utf8').trim();
      if (text) return JSON.parse(text) as LockHolder;
    } catch {
      // missing or half-written: look again
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  return null;
}

/** Whether `dataDir` is locked right now, and by whom; takes and drops the lock when it is free. */
export function probeDataDir(dataDir: string): { busy: false } | { busy: true; holder: LockHolder | null } {
  try {
    lockDataDir(dataDir, 'probe').release();
    return { busy: false };
  } catch (err) {
    if (err instanceof DataDirBusyError) return { busy: true, holder: err.holder };
    throw err;
  }
}
