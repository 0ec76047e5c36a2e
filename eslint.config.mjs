// ESLint (flat config): typescript-eslint's recommended rules, plus the house rules of lib/:
// folders are layers (imports point down only), no `require` (static imports), small files and functions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** lib/ folders, lowest first; each may import from the ones listed for it (and from itself). */
const LAYERS = {
  core: [],
  backend: ['core'],
  io: ['core'],
  data: ['core'],
  layers: ['core'],
  models: ['core', 'io', 'layers'],
  onnx: ['core', 'io', 'layers', 'models'],
  training: ['core', 'io', 'data', 'layers', 'models', 'onnx'],
  explain: ['core', 'io', 'data', 'layers', 'models', 'onnx', 'training'],
  ui: ['core', 'io', 'data', 'layers', 'models', 'onnx', 'training', 'explain'],
  lesson: ['core', 'backend', 'io', 'data', 'layers', 'models', 'onnx', 'training', 'explain', 'ui'],
};

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`lib/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((f) => ({
              group: [`../${f}/*`, `../../${f}/*`, `../${f}`, `../../${f}`],
              message: `lib/${folder}/ sits below lib/${f}/: a lower layer never imports a higher one (see CONTRIBUTING.md).`,
            })),
            {
              group: ['**/test/**', '../../test/*'],
              message: 'library code never reads test/: ship run-time files in lib/assets/.',
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'build/**',
      'data/**',
      'notebooks/**',
      '.stryker-tmp/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='require']",
          message:
            'static imports only in lib/ (a require hides an edge of the import graph); optional native packages excepted, with a reason.',
        },
        {
          // tslab compiles lib/ with TypeScript's CommonJS emit, which reads an exported constant as `exports.NAME`:
          // a variable or parameter named `exports` silently takes its place there (tsx/esbuild does not do this).
          selector:
            "VariableDeclarator[id.name='exports'], :function > Identifier.params[name='exports'], TSParameterProperty > Identifier[name='exports']",
          message:
            "do not name a variable or parameter 'exports': under tslab it hides the module's exported constants.",
        },
      ],
    },
  },
  {
    // Prettier wraps code at 120 columns but cannot break strings or comments: 140 is the hard limit.
    files: ['lib/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  {
    // Tests may hold long fixtures (hex bytes, page code in template literals, expected text).
    files: ['test/**/*.ts'],
    rules: {
      'max-len': [
        'error',
        { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
    },
  },
  ...layerRules,
);
