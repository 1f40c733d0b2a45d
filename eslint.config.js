import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);

function layer(files, regex, message, ignores = []) {
  return { files: [files], ignores, rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] } };
}
