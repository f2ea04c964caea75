// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'web/vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  // The wire types are shared with the web client: nothing from Node, nothing from outside src/protocol.
  {
    files: ['src/protocol/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', '../*'] }] },
  },
  {
    files: ['src/protocol/*/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', '../../*'] }] },
  },
  // The web client: React's rules of hooks; it talks to the server only through src/protocol types.
  {
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', '../../../src/!(protocol)/**', '../../../../src/!(protocol)/**'] },
      ],
    },
  },
  // Logic tests of the web client run on Node (node:test) beside the code they cover.
  {
    files: ['web/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../../../src/!(protocol)/**', '../../../../src/!(protocol)/**'] },
      ],
    },
  },
  // The service worker is plain JavaScript, served as is.
  {
    files: ['web/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'script',
      parserOptions: { projectService: false, project: false },
      globals: Object.fromEntries(
        [
          'self',
          'caches',
          'clients',
          'fetch',
          'Request',
          'Response',
          'URL',
          'Headers',
          'AbortController',
          'setTimeout',
          'clearTimeout',
          'console',
          'Promise',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
