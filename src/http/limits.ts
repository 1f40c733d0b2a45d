// Bounds on what a request may ask of the hub, checked before anything touches the database. The depth, alias,
// token and cost limits come from graphql-armor (yoga.ts); what it cannot see lives here:
//  - nesting: graphql-js parses recursively, so 2 000 nested braces or brackets overflow the stack before armor's
//    token limit is reached. A pass of graphql's (iterative) lexer measures the nesting before the parser runs.
//  - strings: every String and ID argument and input field, at any depth, literal or variable, is checked against
//    a cap chosen by its name (STRING_KINDS) and for NUL characters, which PostgreSQL cannot store in text.
//  - lists: every list argument and input field is checked against a cap on its length chosen by its name
//    (LIST_CAPS), so that a variable of a million codes never reaches a query.
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  TypeInfo,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type SelectionNode,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isUtf8 } from 'node:buffer';
import { scanUtf8 } from '../platform/csv.js';

/** Deepest nesting of `{`, `[` and `(` a document may have: far above the depth limit of 15, far below a stack. */
export const MAX_NESTING = 64;

/** Caps in characters, by kind of string. */
export const STRING_KINDS = {
  /** Codes: M49/ISO3 country codes, indicator, topic, variable, region, SDG codes, token prefixes, units. */
  code: 64,
  /** Search text of list filters. */
  search: 200,
  /** Global ids and connection cursors. */
  id: 512,
  /** Names and titles, audit-log filters. */
  name: 500,
  /** Links. */
  url: 2048,
  /** Free text: descriptions, definitions, notes, comments, reasons. */
  text: 10_000,
} as const;

export type StringKind = keyof typeof STRING_KINDS | 'csv';

/** Caps on the number of items of a list argument or input field, by its name; 100 for any list not named here. */
export const LIST_CAPS: Record<string, number> = {
  /** Country filters: every M49 country and area (248) fits. */
  countries: 300,
  /** A variable's code list (age groups, countries of birth…). */
  codes: 1_000,
  /** nodes(ids:): one page. */
  ids: 100,
};
export const DEFAULT_LIST_CAP = 100;

export const listCap = (name: string): number => LIST_CAPS[name] ?? DEFAULT_LIST_CAP;

const KIND_BY_NAME: Record<string, StringKind> = {
  ...Object.fromEntries(
    [
      'code',
      'country',
      'countries',
      'indicator',
      'indicators',
      'region',
      'sex',
      'sourceType',
      'topic',
      'topics',
      'sdg',
      'sdgIndicators',
      'variable',
      'disaggregations',
      'recommendation',
      'codelist',
      'unit',
      'prefix',
      'fields',
      'provisionalFields',
      'iso2',
      'iso3',
      'm49',
    ].map((n) => [n, 'code' as const]),
  ),
  search: 'search',
  id: 'id',
  ids: 'id',
  after: 'id',
  before: 'id',
  sourceUrl: 'url',
  evidenceUrl: 'url',
  ...Object.fromEntries(
    ['description', 'definition', 'note', 'comment', 'reason', 'text', 'body'].map((n) => [n, 'text' as const]),
  ),
  // The submissions CSV of importSubmissions: bounded by the request body cap (MAX_BODY_BYTES) alone.
  csv: 'csv',
};

/** The kind of a string argument or input field, by its name; names not listed are names (500 characters). */
export function stringKind(name: string, typeName: string): StringKind {
  return KIND_BY_NAME[name] ?? (typeName === 'ID' ? 'id' : 'name');
}

export function stringCap(name: string, typeName: string, maxBodyBytes: number): number {
  const kind = stringKind(name, typeName);
  return kind === 'csv' ? maxBodyBytes : STRING_KINDS[kind];
}

/** extensions.code of every refusal for a query's size or shape (README "Limits"). */
export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/** The query limits, as named in an error's extensions.limit. */
export type QueryLimit =
  'depth' | 'aliases' | 'tokens' | 'cost' | 'directives' | 'nesting' | 'validationWork' | 'validationErrors';

/** What each limit counts, and the words for a query over it (`found` is undefined when only "more than" is known). */
const LIMIT_WORDS: Record<QueryLimit, (max: number, found: number | undefined) => string> = {
  depth: (max, found) => `The query is ${found ?? `more than ${max}`} fields deep; the depth limit is ${max}.`,
  aliases: (max, found) => `The query has ${found ?? `more than ${max}`} aliases; the aliases limit is ${max}.`,
  tokens: (max) => `The query has more than ${max} tokens; the token limit is ${max}.`,
  cost: (max, found) => `The query's estimated cost is ${found ?? `over ${max}`}; the cost limit is ${max}.`,
  directives: (max, found) =>
    `The query has ${found ?? `more than ${max}`} directives; the directives limit is ${max}.`,
  nesting: (max) =>
    `The query nests braces, brackets or parentheses more than ${max} deep; the nesting limit is ${max}.`,
  validationWork: (max) =>
    "The query repeats fields too often to validate: comparing its field selections for conflicts passed graphql-js's " +
    `validation work limit (${max} steps). Select each field once.`,
  validationErrors: (max) =>
    `Validation stopped after ${max} errors (the validation error limit); the first ${max} are listed.`,
};

/**
 * The one error of every query limit: a message naming the limit and what the query has, without the "Syntax Error:"
 * graphql-armor puts before its own (the query is valid GraphQL), and extensions { code: QUERY_TOO_COMPLEX, limit,
 * max, found }.
 */
export function queryTooComplex(limit: QueryLimit, max: number, found?: number): GraphQLError {
  return new GraphQLError(LIMIT_WORDS[limit](max, found), {
    extensions: { code: QUERY_TOO_COMPLEX, limit, max, ...(found !== undefined && { found }) },
  });
}

/**
 * graphql-armor's onReject for one of its limits: throws the hub's error in place of armor's "Syntax Error: Query
 * depth limit of 15 exceeded, found 16." (armor calls onReject before it throws its own, so this one is the answer).
 */
export function armorRejection(limit: QueryLimit, max: number) {
  return (_context: unknown, error: GraphQLError): never => {
    const found = /found (\d+(?:\.\d+)?)/.exec(error.message)?.[1];
    // The cost is fractional (235481.25): told rounded up, so it is never shown at or under the limit.
    throw queryTooComplex(limit, max, found === undefined ? undefined : Math.ceil(Number(found)));
  };
}

/** graphql-js's work limit of the overlapping-fields check (OverlappingFieldsCanBeMergedRule, graphql 16.12+). */
const VALIDATION_WORK_LIMIT = 500_000;
/** graphql-js's default `maxErrors` of validate(). */
const VALIDATION_MAX_ERRORS = 100;

/**
 * graphql-js stops validating a query past two limits of its own, and says only "Validation aborted." (the work
 * of comparing repeated fields: `{ code code … ×800 }`) or "Too many validation errors, error limit reached.
 * Validation aborted." (maxErrors): these answer as the other query limits do, naming what was exceeded.
 */
export function validationLimits(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (valid) return;
        const errors = result as GraphQLError[];
        const last = errors[errors.length - 1];
        if (last?.message === 'Validation aborted.') {
          setResult([...errors.slice(0, -1), queryTooComplex('validationWork', VALIDATION_WORK_LIMIT)]);
        } else if (last?.message === 'Too many validation errors, error limit reached. Validation aborted.') {
          setResult([...errors.slice(0, -1), queryTooComplex('validationErrors', VALIDATION_MAX_ERRORS)]);
        }
      };
    },
  };
}

const badInput = (message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });

/** Refuses a document nested deeper than MAX_NESTING before graphql-js's recursive parser sees it. */
export function nestingLimit(maxNesting = MAX_NESTING, maxTokens = Infinity): Plugin {
  // Query texts already lexed and found within the limit: most requests repeat a few texts (kept up to 1 000, the
  // size of Yoga's parse cache, and only texts under 64 KB).
  const passed = new Set<string>();
  return {
    onParse({ params }) {
      const body = typeof params.source === 'string' ? params.source : params.source.body;
      if (passed.has(body)) return;
      const depth = nestingOf(body, maxNesting, maxTokens);
      if (depth <= maxNesting) {
        if (body.length > 65_536) return;
        if (passed.size >= 1_000) passed.delete(passed.values().next().value!);
        passed.add(body);
      } else {
        throw queryTooComplex('nesting', maxNesting);
      }
    },
  };
}

/**
 * The deepest nesting of braces, brackets and parentheses, stopping once it passes `stopAt` or after `maxTokens`
 * tokens (armor's token limit then answers). Syntax errors are left to the parser.
 */
function nestingOf(body: string, stopAt: number, maxTokens: number): number {
  const lexer = new Lexer(new Source(body));
  let depth = 0;
  let deepest = 0;
  try {
    for (let n = 0; n <= maxTokens; n++) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) break;
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
        if (++depth > deepest && (deepest = depth) > stopAt) break;
      } else if (
        token.kind === TokenKind.BRACE_R ||
        token.kind === TokenKind.BRACKET_R ||
        token.kind === TokenKind.PAREN_R
      ) {
        depth--;
      }
    }
  } catch {
    // A lexical error: the parser reports it with its location.
  }
  return deepest;
}

/**
 * Every String or ID argument value (also inside input objects and lists, from literals or variables) must fit its
 * cap and hold no NUL character, and every list its length cap; a BAD_USER_INPUT error names each argument that
 * does not.
 */
export function argumentLimits(maxBodyBytes: number): Plugin {
  // Without variables the problems depend on the document and the operation alone: found once per document (Yoga's
  // parse cache hands every request with the same query text the same DocumentNode) instead of walking it with type
  // information on every request (about 3 % of the CPU of a `{ __typename }` request under load, issue 11).
  const withoutVariables = new WeakMap<DocumentNode, Map<string, ArgumentProblem[]>>();
  const problemsOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown> | null | undefined,
    operationName: string | null | undefined,
  ) => {
    if (variables && Object.keys(variables).length) {
      return checkArguments(schema, document, variables, operationName, maxBodyBytes);
    }
    let byOperation = withoutVariables.get(document);
    if (!byOperation) withoutVariables.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let problems = byOperation.get(key);
    if (!problems) byOperation.set(key, (problems = checkArguments(schema, document, {}, operationName, maxBodyBytes)));
    return problems;
  };
  return {
    onExecute({ args }) {
      const problems = problemsOf(args.schema, args.document, args.variableValues, args.operationName);
      if (problems.length) {
        throw badInput(problems.map((p) => p.message).join('; '), { arguments: problems.map((p) => p.argument) });
      }
    },
  };
}

/**
 * A mutation request runs one mutation. Mutation fields are non-null (CONTRACT §7 pins `ImportSubmissionsResult!`),
 * so when one of several is refused (a focal point's declaration for another country) graphql-js nulls the whole
 * `data`, while the ones before it have run and committed: the caller would be told only of the refusal. Refused
 * before anything runs, naming the fields; __typename aside.
 */
export function oneMutationPerRequest(): Plugin {
  const fieldsOf = (document: DocumentNode, selections: readonly SelectionNode[], seen = new Set<string>()): string[] =>
    selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) {
        return selection.name.value === '__typename'
          ? []
          : [selection.alias ? `${selection.alias.value}: ${selection.name.value}` : selection.name.value];
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(document, selection.selectionSet.selections, seen);
      const name = selection.name.value;
      if (seen.has(name)) return [];
      seen.add(name);
      const fragment = document.definitions.find(
        (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
      );
      return fragment ? fieldsOf(document, fragment.selectionSet.selections, seen) : [];
    });
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const fields = fieldsOf(args.document, operation.selectionSet.selections);
      if (fields.length > 1) {
        throw badInput(
          `A request runs one mutation; this one has ${fields.length} (${fields.join(', ')}): send each in a ` +
            'request of its own, so that each is answered',
        );
      }
    },
  };
}

interface ArgumentProblem {
  argument: string;
  message: string;
}

function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  rawVariables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  maxBodyBytes: number,
): ArgumentProblem[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  // Variables that do not coerce are reported by execution itself.
  if (coerced.errors) return [];
  const variables = coerced.coerced;
  const problems: ArgumentProblem[] = [];
  const check = (value: unknown, type: GraphQLInputType, name: string, path: string, field: string) => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return check(value, type.ofType, name, path, field);
    if (isListType(type)) {
      if (!Array.isArray(value)) return check(value, type.ofType, name, path, field);
      const cap = listCap(name);
      if (value.length > cap) {
        // Its items are not checked one by one: the list is refused as a whole.
        problems.push({
          argument: path,
          message: `"${path}" on ${field} has too many items: ${value.length}, at most ${cap}`,
        });
        return;
      }
      value.forEach((v, i) => check(v, type.ofType, name, `${path}[${i}]`, field));
      return;
    }
    if (isInputObjectType(type)) {
      const fields = type.getFields();
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const f = fields[key];
        if (f) check(v, f.type, key, `${path}.${key}`, field);
      }
      return;
    }
    if (!isScalarType(type) || (type.name !== 'String' && type.name !== 'ID') || typeof value !== 'string') return;
    const cap = stringCap(name, type.name, maxBodyBytes);
    if (value.length > cap) {
      problems.push({
        argument: path,
        message: `"${path}" on ${field} is too long: ${value.length} characters, at most ${cap}`,
      });
    }
    // A CSV payload is checked by the CSV reader, which names the line and column of a NUL.
    if (value.includes('\u0000') && stringKind(name, type.name) !== 'csv') {
      problems.push({ argument: path, message: `"${path}" on ${field} contains a NUL character (U+0000)` });
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const def = typeInfo.getArgument();
        if (!def) return;
        // A single enum, number or boolean is bounded by its type (lists of them are not).
        const named = getNamedType(def.type);
        const scalar = isNonNullType(def.type) ? def.type.ofType : def.type;
        if (isScalarType(named) && named.name !== 'String' && named.name !== 'ID' && !isListType(scalar)) return;
        const value = valueFromAST(node.value, def.type, variables);
        const owner = typeInfo.getFieldDef()?.name ?? typeInfo.getDirective()?.name ?? '';
        check(value, def.type, def.name, node.name.value, owner);
        return false;
      },
      // Variables' own definitions (default values) are checked where they are used.
      VariableDefinition: () => false,
      [Kind.DIRECTIVE_DEFINITION]: () => false,
    }),
  );
  return problems;
}

/**
 * Production answers name no schema member the client did not name itself: graphql-js's "Did you mean …?" hints
 * (field, argument, type and enum-value suggestions, in validation and in variable coercion) are cut from every
 * error. graphql-armor's blockFieldSuggestion misses the enum form ('Did you mean the enum value "CORE"?') and
 * coercion errors, which are not validation errors. Introspection stays on: the hub is a public data API.
 */
export function hideSuggestions(): Plugin {
  const strip = (errors: readonly unknown[] | undefined) => {
    for (const error of errors ?? []) {
      if (error instanceof GraphQLError || error instanceof Error) {
        error.message = error.message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
      }
    }
  };
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result)) result.forEach((r) => strip(r.errors));
      else if (!(Symbol.asyncIterator in result)) strip(result.errors);
    },
  };
}

/**
 * A request body that is not UTF-8 is refused (400) instead of being decoded with U+FFFD in place of the bad bytes:
 * JSON is UTF-8 (RFC 8259), and an importSubmissions CSV must arrive as it was written.
 */
export function utf8Body(): Plugin {
  return {
    async onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST' || !request.body) return;
      // Uploads (multipart) may be binary (XLSX); an uploaded CSV is checked as UTF-8 by the import kernel.
      if (request.headers.get('content-type')?.toLowerCase().startsWith('multipart/form-data')) return;
      const bytes = new Uint8Array(await request.clone().arrayBuffer());
      if (isUtf8(bytes)) return;
      const { bad } = scanUtf8(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      endResponse(
        fetchAPI.Response.json(
          {
            errors: [
              {
                message: `The request body is not UTF-8 (byte ${bad} is 0x${bytes[bad]?.toString(16).toUpperCase() ?? ''})`,
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          },
          { status: 400 },
        ),
      );
    },
  };
}
