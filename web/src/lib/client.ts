// GraphQL over POST /graphql on the hub that served the page. Documents are codegen's TypedDocumentString: the
// query text, typed by its result and variables.
import { useEffect, useState } from 'preact/hooks';
import type { TypedDocumentString } from '../gql/graphql';
import { currentToken, tokenRefused, useSession } from './session';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    /** The argument a NOT_FOUND error names, e.g. "filter.region" (src/schema/codes.ts). */
    readonly argument?: string,
  ) {
    super(message);
  }
}

/**
 * A request that got no answer from the hub: the connection failed or dropped, or the hub is down (fetch's TypeError,
 * worded as each browser likes: "Failed to fetch", "NetworkError when attempting to fetch resource", "Load failed").
 * What a read does about it: try again. A write may or may not have reached the hub before the connection dropped.
 */
export class UnreachableError extends Error {
  constructor() {
    super('The hub could not be reached: the connection failed or dropped, or the hub is not answering.');
  }
}

/** An aborted request stays an AbortError; any other failure of fetch() or of reading its body is the network's. */
async function reach<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    throw e instanceof TypeError ? new UnreachableError() : e;
  }
}

/**
 * Whether trying the same request again may help: no answer, or an answer that the hub was busy, down or failed
 * (SERVICE_UNAVAILABLE, RATE_LIMITED, INTERNAL_SERVER_ERROR, or an HTTP error with no GraphQL answer). Not an unknown
 * code or refused input, which would be refused again.
 */
export function isTransient(error: Error): boolean {
  if (!(error instanceof ApiError)) return true;
  return !error.code || ['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR'].includes(error.code);
}

/** The API's answer that a code named in the request (a country, an indicator) does not exist. */
export function isNotFound(error: Error): boolean {
  return error instanceof ApiError && error.code === 'NOT_FOUND';
}

/** The argument whose code named nothing (a NOT_FOUND error, thrown or beside data), e.g. "region" or
 *  "filter.region"; a page tells by it which of the codes it sent was unknown. */
export function unknownArgument(error: Error | FieldError): string | undefined {
  if (error instanceof ApiError) return error.code === 'NOT_FOUND' ? error.argument : undefined;
  const e = error as FieldError;
  return e.extensions?.code === 'NOT_FOUND' ? e.extensions.argument : undefined;
}

/**
 * The error of an answer. When the hub refused the token the request carried (UNAUTHENTICATED: revoked or expired
 * since sign-in), the session ends there, and the pages say why instead of silently showing the signed-out view.
 */
function answerError(first: FieldError, token: string | null): ApiError {
  const code = first.extensions?.code;
  if (code === 'UNAUTHENTICATED' && token && token === currentToken()) tokenRefused();
  return new ApiError(first.message, code, first.extensions?.argument);
}

interface Response<R> {
  data?: R | null;
  errors?: FieldError[];
}

export interface FieldError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; argument?: string };
}

/**
 * Every node of a connection, following its cursor: `page(after)` reads one page (`after` undefined for the first)
 * and gives the connection with the errors beside it. The API pages at 100; a page may list every country.
 */
export async function allPages<N>(
  page: (after: string | undefined) => Promise<{
    connection: { nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
    errors: FieldError[];
  }>,
): Promise<{ data: N[]; errors: FieldError[] }> {
  const nodes: N[] = [];
  const errors: FieldError[] = [];
  let after: string | undefined;
  do {
    const { connection, errors: beside } = await page(after);
    nodes.push(...connection.nodes);
    errors.push(...beside);
    const { hasNextPage, endCursor } = connection.pageInfo;
    after = hasNextPage && endCursor ? endCursor : undefined;
  } while (after);
  return { data: nodes, errors };
}

/** The answer's JSON; a body cut off by the network is UnreachableError, one that is no JSON (a proxy's error page) an
 *  ApiError with the HTTP status. */
async function answer<R>(res: globalThis.Response): Promise<Response<R>> {
  const text = await reach(() => res.text());
  try {
    return JSON.parse(text) as Response<R>;
  } catch {
    throw new ApiError(`The hub answered ${res.status} ${res.statusText}`);
  }
}

/** The data, or an ApiError for the first error when there is none; errors beside data are returned with it. */
export async function requestWithErrors<R, V>(
  doc: TypedDocumentString<R, V>,
  variables: V,
  options: { signal?: AbortSignal; token?: string | null } = {},
): Promise<{ data: R; errors: FieldError[] }> {
  const token = options.token === undefined ? currentToken() : options.token;
  const res = await reach(() =>
    fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: doc.toString(), variables }),
      signal: options.signal,
    }),
  );
  const body = await answer<R>(res);
  const first = body.errors?.[0];
  if (!body.data) {
    throw first ? answerError(first, token) : new ApiError('The hub answered without data');
  }
  return { data: body.data, errors: body.errors ?? [] };
}

/**
 * An operation with file variables, as a GraphQL multipart request (the spec Yoga implements): the operation with
 * each file variable null, a map from part names to variable paths, then the files.
 */
export async function requestUpload<R, V, F extends keyof V & string>(
  doc: TypedDocumentString<R, V>,
  variables: Omit<V, F>,
  files: Record<F, File>,
): Promise<R> {
  const token = currentToken();
  const names = Object.keys(files) as F[];
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: doc.toString(),
      variables: { ...variables, ...Object.fromEntries(names.map((n) => [n, null])) },
    }),
  );
  form.append('map', JSON.stringify(Object.fromEntries(names.map((n, i) => [String(i), [`variables.${n}`]]))));
  names.forEach((n, i) => form.append(String(i), files[n]));
  const res = await reach(() =>
    fetch('/graphql', {
      method: 'POST',
      // A multipart POST is a "simple" request: the CSRF header says it comes from this app, not a form elsewhere.
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'x-graphql-csrf': '1',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: form,
    }),
  );
  const body = await answer<R>(res);
  const first = body.errors?.[0];
  if (first || !body.data) {
    throw first ? answerError(first, token) : new ApiError('The hub answered without data');
  }
  return body.data;
}

/** The data of an operation that must answer without errors. */
export async function request<R, V>(
  doc: TypedDocumentString<R, V>,
  variables: V,
  options: { signal?: AbortSignal; token?: string | null } = {},
): Promise<R> {
  const { data, errors } = await requestWithErrors(doc, variables, options);
  const first = errors[0];
  if (first) throw new ApiError(first.message, first.extensions?.code, first.extensions?.argument);
  return data;
}

export type QueryState<R> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'error'; data?: undefined; error: ApiError | Error; retry: () => void }
  | { status: 'done'; data: R; error?: undefined; errors: FieldError[] };

/**
 * Runs a query whenever its variables, the signed-in token or `refresh` change; a newer run cancels the older one.
 * `skip` leaves it idle (loading) until the page has what the query needs.
 */
export function useQuery<R, V>(
  doc: TypedDocumentString<R, V>,
  variables: V,
  options: { skip?: boolean; refresh?: number } = {},
): QueryState<R> {
  // `doc` and the variables (a new object on each render, so stood for by their JSON) are the load's inputs.
  return useLoad((signal) => requestWithErrors(doc, variables, { signal }), [doc, JSON.stringify(variables)], options);
}

/**
 * Runs `load` (one or more requests, all given the signal) whenever `inputs`, the signed-in token or `refresh`
 * change; a newer run cancels the older one, and the state is done only once the whole load is.
 */
export function useLoad<R>(
  load: (signal: AbortSignal) => Promise<{ data: R; errors: FieldError[] }>,
  inputs: unknown[],
  options: { skip?: boolean; refresh?: number } = {},
): QueryState<R> {
  const { skip = false, refresh = 0 } = options;
  const [token] = useSession();
  const [state, setState] = useState<QueryState<R>>({ status: 'loading' });
  // Bumped by the error state's retry (the page's "Try again").
  const [again, setAgain] = useState(0);
  useEffect(() => {
    if (skip) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ status: 'loading' });
    const run = (attempt: number) =>
      load(controller.signal).then(
        ({ data, errors }) => setState({ status: 'done', data, errors }),
        (error: Error) => {
          if (controller.signal.aborted) return;
          // A read that never reached the hub (a dropped connection, a restart) is tried again a few times before the
          // page shows the error, with a way to try again; an answer from the hub, even an error, is final.
          if (error instanceof UnreachableError && attempt < 3) {
            timer = setTimeout(() => run(attempt + 1), 300 * 2 ** attempt);
          } else setState({ status: 'error', error, retry: () => setAgain((n) => n + 1) });
        },
      );
    void run(0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // `load` is a new function on each render; `inputs` stand for what it reads.
  }, [...inputs, token, skip, refresh, again]);
  return state;
}

/** What a mutation answers: its payload, or one of the errors its result union lists (each with a message). */
export type WriteResult = { __typename: string; message?: string };

/**
 * A form's write: `busy` while it runs; then either `done` (the answer is the mutation's payload) or the problem to
 * show, which is the typed error's message, or why the request failed. Forms set `problem` for their own checks too.
 * `handled`, when given, sees a typed error first and returns true when it dealt with it (the form then shows
 * nothing of it), e.g. a ConflictError the page answers by reading the item again.
 */
export function useWrite() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function write(run: () => Promise<WriteResult>, done: () => void, handled?: (error: WriteResult) => boolean) {
    // The button pressed is disabled while busy, and a disabled button loses focus (to <body>, where the next Tab
    // starts over from the top): given back once it is enabled again, if focus is still nowhere and it is still there.
    const pressed = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const giveBack = () => {
      if (pressed?.isConnected && (document.activeElement === document.body || !document.activeElement))
        pressed.focus();
    };
    setBusy(true);
    try {
      const result = await run();
      if (result.__typename.endsWith('Payload')) {
        setProblem(null);
        done();
      } else if (handled?.(result)) setProblem(null);
      else setProblem(result.message ?? result.__typename);
    } catch (err) {
      setProblem((err as Error).message);
    }
    setBusy(false);
    setTimeout(giveBack);
  }
  return { busy, problem, setProblem, write };
}

/** One page of a connection: its nodes, where the next begins, and how many there are in all. */
export interface Page<N> {
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  totalCount: number;
}

/**
 * A list read a page at a time ("Show more"): the first page whenever `inputs`, the token or `refresh` change, then
 * each next page after the last one's cursor when `more()` is called. Pages read for an older first page are
 * dropped, so a changed filter never mixes with what an earlier one listed.
 */
export function usePages<N>(
  page: (after: string | undefined, signal?: AbortSignal) => Promise<{ data: Page<N>; errors: FieldError[] }>,
  inputs: unknown[],
  options: { refresh?: number } = {},
) {
  const first = useLoad((signal) => page(undefined, signal), inputs, options);
  const [next, setNext] = useState<{ of: unknown; pages: Page<N>[] }>({ of: null, pages: [] });
  const [loading, setLoading] = useState<{ of: unknown; error: Error | null } | null>(null);
  const pages = first.status === 'done' ? [first.data, ...(next.of === first ? next.pages : [])] : [];
  const last = pages.at(-1);
  const busy = loading?.of === first && !loading.error;
  async function more() {
    const after = last?.pageInfo.hasNextPage ? last.pageInfo.endCursor : null;
    if (!after || busy) return;
    const of = first;
    setLoading({ of, error: null });
    try {
      const { data } = await page(after);
      setNext((n) => (n.of === of ? { of, pages: [...n.pages, data] } : { of, pages: [data] }));
      setLoading(null);
    } catch (error) {
      setLoading({ of, error: error as Error });
    }
  }
  return {
    state: first,
    nodes: pages.flatMap((p) => p.nodes),
    total: first.status === 'done' ? first.data.totalCount : 0,
    hasMore: Boolean(last?.pageInfo.hasNextPage),
    busy,
    error: loading?.of === first ? loading.error : null,
    more,
  };
}
