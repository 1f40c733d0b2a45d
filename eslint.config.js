import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'prisma/generated',
      'test/gql',
      'web/dist',
      'web/dist.*',
      'web/src/gql',
      'tmp',
      '.data',
      'coverage',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // config.ts is the only reader of the environment.
      'no-process-env': 'error',
    },
  },
  {
    files: [
      'src/platform/config.ts',
      'prisma.config.ts',
      'scripts/**',
      'test/**',
      'bench/**',
      'jest.config.js',
      'bin/**',
      'examples/**',
    ],
    rules: { 'no-process-env': 'off' },
  },
  // Examples are standalone Node scripts meant to be copied: Node's globals are theirs.
  { files: ['examples/**'], languageOptions: { globals: { fetch: 'readonly', setTimeout: 'readonly' } } },
  // Layering (README "Layout"): imports only run downward. platform/ → schema/ (builder, shared GraphQL pieces) →
  // the domain folders → http/ and cli/. A domain may import another domain, never http/ or cli/.
  layer(
    'src/platform/**',
    '^\\.\\./(?!\\.\\./prisma/)',
    'platform/ is the bottom layer: it imports no other src/ folder',
  ),
  layer(
    'src/schema/**',
    '^\\.\\./(?!platform/|\\.\\./prisma/)',
    'schema/ (the builder and shared GraphQL pieces) imports only platform/',
  ),
  layer('src/*/**', '^\\.\\./(http|cli)/', 'domains import platform/, schema/ and other domains, never http/ or cli/', [
    'src/platform/**',
    'src/schema/**',
    'src/http/**',
    'src/cli/**',
  ]),
  layer('src/http/**', '^\\.\\./cli/', 'http/ does not import cli/ (the CLI starts the server, not the reverse)'),
  // The printed schema (npm run schema) is linted like code: every type, field, argument, enum value and input field
  // described, GraphQL naming, Relay connections. Exceptions, each for a reason:
  //  - SourceType keeps its "Type" suffix: CONTRACT §1 pins the name.
  //  - YearWindow is an input without an Input/Filter/Order suffix: CONTRACT §3 pins it.
  //  - strict-id-in-types is off: Relay asks `id: ID!` of Node types only (the relay plugin gives every one), and
  //    the value objects (coverage cells, counts, payloads, errors) have no identity of their own.
  //  - require-nullable-result-in-root is off: CONTRACT §3 pins non-null roots (countries, coverageMatrix, …) and
  //    mutation results are non-null unions that carry their errors.
  //  - alphabetize is off: printSchema already sorts the file; its "id first" grouping would fight that order.
  //  - require-field-of-type-query-in-mutation-result is off: payloads name what changed instead of a Query field.
  {
    files: ['schema.graphql'],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig: { schema: 'schema.graphql' } } },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      '@graphql-eslint/strict-id-in-types': 'off',
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      '@graphql-eslint/naming-convention': [
        'error',
        {
          ...graphqlPlugin.configs['flat/schema-recommended'].rules['@graphql-eslint/naming-convention'][1],
          'ObjectTypeDefinition,ObjectTypeExtension': {
            forbiddenPrefixes: ['Type'],
            forbiddenSuffixes: ['Type'],
            ignorePattern: '^SourceType$',
          },
          InputObjectTypeDefinition: {
            style: 'PascalCase',
            requiredSuffixes: ['Input', 'Filter', 'Order'],
            ignorePattern: '^YearWindow$',
          },
        },
      ],
      // Mutations take one `input: <Mutation>Input!` (STYLE §1.3).
      '@graphql-eslint/input-name': ['error', { checkInputType: true, caseSensitiveInputType: false }],
      '@graphql-eslint/no-scalar-result-type-on-mutation': 'error',
      '@graphql-eslint/require-deprecation-date': 'error',
      // Connections also offer `nodes`, and value objects come in plain lists: only edges must be Edge types.
      // Feed entries (ChangeEdge) are events, not entities: they have a sequence, not a global id.
      '@graphql-eslint/relay-edge-types': [
        'error',
        { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
      ],
      // The change feed pages forward only (CONTRACT §10 pins `changes(after, first)`).
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
    },
  },
);

function layer(files, regex, message, ignores = []) {
  return { files: [files], ignores, rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] } };
}
