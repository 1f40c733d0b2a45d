import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'prisma/generated', 'test/gql', 'tmp', '.data', 'coverage'] },
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
    files: ['src/config.ts', 'prisma.config.ts', 'scripts/**', 'test/**', 'bench/**', 'jest.config.js', 'bin/**'],
    rules: { 'no-process-env': 'off' },
  },
);
