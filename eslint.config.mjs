// Type-aware lint for every package. libs/core stays pure: no I/O clients, no Node builtins, no wall clock.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['kafkajs', 'neo4j-driver', 'ioredis', 'pino', '@kafkajs/*', '@opentelemetry/*'];
const nodeBuiltins = ['fs', 'fs/*', 'net', 'http', 'https', 'child_process', 'os', 'path', 'worker_threads', 'dgram', 'tls', 'node:*'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.stack/**', 'out/**', '**/*.mjs', '**/bin/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner tracks itself.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['libs/**/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['libs/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...ioModules, ...nodeBuiltins].filter((m) => !m.includes('*')).map((name) => ({ name, message: 'libs/core is pure: no I/O, clients or Node builtins.' })),
        patterns: [{ group: [...ioModules, ...nodeBuiltins].filter((m) => m.includes('*')), message: 'libs/core is pure: no I/O, clients or Node builtins.' }],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Time comes in with events: pass it in.' },
        { object: 'performance', property: 'now', message: 'Time comes in with events: pass it in.' },
        { object: 'Math', property: 'random', message: 'Use SeededRandom so runs are reproducible.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time comes in with events: pass it in.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'libs/core reads no environment.' }],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
