// Lint rules and the import boundaries of the architecture (docs/development.md):
// the pure core (src/race, src/triage) imports nothing from the shell, not even types;
// the store does not import the GitHub side. `npm run lint`; `.ci/run` runs it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SHELL = ['github', 'store', 'cli', 'dashboard', 'eval'];

/** Relative imports that reach `src/<dir>` from a file one level under src. */
function into(dirs) {
  return dirs.flatMap((dir) => [`../${dir}`, `../${dir}/*`, `../../${dir}/*`]);
}

function boundary(files, forbidden, why) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: into(forbidden), message: why, allowTypeImports: false }] },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      // `_name` marks a parameter or binding kept for its position or its type.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Stores are typed over several schemas (Kysely<any> where a table set is shared).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  boundary(['src/race/**'], ['triage', ...SHELL], 'src/race is the pure engine: it imports nothing from the rest of the app, not even types.'),
  boundary(['src/triage/**'], SHELL, 'src/triage is the pure core: it imports nothing from the shell (github, store, cli, dashboard, eval), not even types.'),
  boundary(['src/eval/**'], ['github', 'store', 'cli', 'dashboard'], 'src/eval is pure: metrics over the core, no I/O, not even types from the shell.'),
  boundary(['src/store/**'], ['github', 'cli', 'dashboard'], 'src/store does not import the GitHub side or the command line.'),
);
