// ESLint: typescript-eslint's recommended rules on the service, scripts, tests, migrations and the
// dashboard; layout is Prettier's job (eslint-config-prettier, last, turns off rules that would fight it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', '.data/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // Omitting a property by destructuring it beside a rest (`{ flag: _flag, ...gap }`) is how the code drops fields.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // A `let` read by an exit handler before its assignment must stay `let`: as a `const` it would throw there.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**', 'scripts/**', 'test/**', 'migrations/**', '*.js', '*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['dashboard/src/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['*.js'],
    languageOptions: { sourceType: 'commonjs' },
    // Jest loads its config files as CommonJS.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
