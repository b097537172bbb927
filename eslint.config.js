// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ambient = [
  { object: 'Date', property: 'now', message: 'ask deps.clock (STYLE rule 3)' },
  { object: 'Math', property: 'random', message: 'ask deps.ids or a random port (STYLE rule 3)' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Nothing ambient outside bin/, deps.ts and the clock adapter (STYLE rules 3, 5).
    files: ['src/**/*.ts'],
    ignores: ['src/deps.ts', 'src/adapters/clock.ts'],
    rules: {
      'no-restricted-properties': ['error', ...ambient],
      'no-restricted-globals': ['error', { name: 'process', message: 'only bin/canale.js and src/deps.ts touch process' }, { name: 'console', message: 'write through deps.io / Ui' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'ask deps.clock (STYLE rule 3)' }],
    },
  },
  {
    // The core does not know where it runs (STYLE rule 1).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/core imports no node modules: ask a port' },
            { group: ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'util', 'events', 'url'], message: 'src/core imports no node modules: ask a port' },
            { group: ['lowdb', 'lowdb/*', 'undici', 'nodemailer', 'commander', 'chalk', '@inquirer/*', 'cli-table3', 'cli-progress', 'ora', 'proper-lockfile', 'smtp-server', 'csv-parse', 'csv-parse/*', 'csv-stringify', 'csv-stringify/*', 'iconv-lite'], message: 'src/core imports no adapter or UI library' },
            { group: ['**/adapters/**', '**/ui/**', '**/commands/**', '**/deps.js', '**/main.js'], message: 'src/core imports nothing from adapters, ui or commands' },
          ],
        },
      ],
    },
  },
);
