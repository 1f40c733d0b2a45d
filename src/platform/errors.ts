// Expected, user-fixable failures. Resolvers throw these; the errors plugin turns the listed ones into typed union
// members. Anything else is an internal error and is masked by Yoga.
export interface Issue {
  /** Where: an input path (["input", "code"]) or a file location (["line 4", "value"]). */
  path: string[];
  message: string;
  /** A problem in a tabular file: its line (the sheet's row in XLSX) and column, as numbers and names for scripts. */
  line?: number;
  column?: string | null;
  /** XLSX: the sheet and cell. */
  sheet?: string;
  cell?: string;
}

export class AppError extends Error {
  /** The GraphQL `extensions.code` when the error reaches a field that does not list it as a result type. */
  readonly code: string = 'BAD_USER_INPUT';
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }

  static of(issues: Issue[]): ValidationError {
    const first = issues[0];
    const summary = first ? `${first.path.join('.')}: ${first.message}` : 'invalid input';
    return new ValidationError(issues.length > 1 ? `${summary} (and ${issues.length - 1} more)` : summary, issues);
  }
}

export class NotFoundError extends AppError {
  override readonly code = 'NOT_FOUND';
}

export class ConflictError extends AppError {
  override readonly code = 'CONFLICT';

  constructor(
    message: string,
    /** The item's revision now, when the conflict is a stale expected revision; the client reloads from it. */
    readonly currentRevision: number | null = null,
  ) {
    super(message);
  }

  /** The caller edited what it read (`expected`), and someone changed it since: it is now at `current`. */
  static staleRevision(what: string, current: number, expected: number): ConflictError {
    return new ConflictError(
      `${what} changed meanwhile: it is at revision ${current}, not ${expected}; reload and retry`,
      current,
    );
  }
}

/** PostgreSQL's unique violation, serialization failure and deadlock, and the driver adapters' names for them. */
const CONFLICT_SQLSTATES = new Set(['23505', '40001', '40P01']);
const CONFLICT_KINDS = new Set(['UniqueConstraintViolation', 'TransactionWriteConflict']);

/** Whether `test` holds for the error or anything it wraps (Prisma's meta, a driver adapter's error, a cause). */
function anyCause(error: unknown, test: (o: Record<string, unknown>) => boolean): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number): boolean => {
    if (!e || typeof e !== 'object' || seen.has(e) || depth > 5) return false;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (test(o)) return true;
    const meta = o.meta as Record<string, unknown> | undefined;
    return [meta, o.cause, meta?.driverAdapterError].some((n) => visit(n, depth + 1));
  };
  return visit(error, 0);
}

/**
 * Whether a database error means a concurrent transaction got there first (a unique key it just wrote, a
 * serialization failure or a deadlock): the write may succeed when retried. Prisma reports these as P2002/P2034,
 * or, from raw statements, as P2010 carrying the driver adapter's error.
 */
export function isWriteConflict(error: unknown): boolean {
  return anyCause(
    error,
    (o) =>
      o.code === 'P2002' ||
      o.code === 'P2034' ||
      (typeof o.originalCode === 'string' && CONFLICT_SQLSTATES.has(o.originalCode)) ||
      (typeof o.kind === 'string' && CONFLICT_KINDS.has(o.kind)) ||
      (o.code === 'P2010' && CONFLICT_SQLSTATES.has(String((o.meta as Record<string, unknown> | undefined)?.code))),
  );
}

/**
 * The database not answering now, as opposed to a bug: Prisma's cannot-reach, does-not-exist, timed-out and
 * transaction-limit errors; PostgreSQL's cancelled statement (DATABASE_STATEMENT_TIMEOUT_MS), shutdown (57P01-57P03),
 * dropped or missing database (57P04, 3D000), connection and too-many-connections states; the socket errors; and pg's
 * connection failures, which it reports as plain Errors whose message is all there is to go by.
 */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1003', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_SQLSTATE = /^(57014|57P0[1-4]|3D000|08...|53300)$/;
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'SocketTimeout',
  'TooManyConnections',
  'ConnectionClosed',
]);
const PG_CONNECTION_FAILURES = /^(timeout expired|timeout exceeded when trying to connect|Connection terminated)/;

/** What a caller reads when the database did not answer in time (GraphQL's SERVICE_UNAVAILABLE, HTTP's 503). */
export const DATABASE_UNAVAILABLE = 'The database did not answer in time; try again later.';

/** Whether the error says the database is unreachable or too busy to answer in time: worth retrying later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return anyCause(error, (o) => {
    const code = typeof o.code === 'string' ? o.code : '';
    return (
      UNAVAILABLE_PRISMA_CODES.has(code) ||
      UNAVAILABLE_SOCKET_CODES.has(code) ||
      UNAVAILABLE_SQLSTATE.test(typeof o.originalCode === 'string' ? o.originalCode : code) ||
      (typeof o.kind === 'string' && UNAVAILABLE_KINDS.has(o.kind)) ||
      (o instanceof Error && !code && PG_CONNECTION_FAILURES.test(o.message))
    );
  });
}

/** Maps Prisma's known request errors to domain errors; returns other errors unchanged. */
export function fromPrismaError(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (code === 'P2002') return new ConflictError(`${what} already exists`);
  if (code === 'P2025') return new NotFoundError(`${what} was not found`);
  if (code === 'P2003') return new ConflictError(`${what} is still referenced by other records`);
  if (isWriteConflict(error)) return new ConflictError(`${what} was changed by a concurrent write; try again`);
  return error;
}

/** "an Indicator", "a Submission": a type name as a message names one. */
export const withArticle = (typename: string) => `${/^[AEIOU]/.test(typename) ? 'an' : 'a'} ${typename}`;
