// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// The direction of imports inside src/ (docs/architecture.md): a folder imports only from
// folders before it in this list. Adapters (backends) report errors; they do not decide retries,
// so they may not import resilience either.
const LAYERS = [
  'core',
  'topology',
  'balancing',
  'resilience',
  'cache',
  'metrics',
  'tracing',
  'backends',
  'replication',
  'reshard',
  'mesh',
  'node',
  'testing',
  'cli',
];
const EXTRA_FORBIDDEN = { backends: ['resilience'] };

/** One config per layer that forbids relative imports into the layers after it. */
function layerRules() {
  return LAYERS.map((layer, index) => {
    const extra = EXTRA_FORBIDDEN[layer] ?? [];
    const forbidden = [...LAYERS.slice(index + 1), ...extra];
    const allowed = LAYERS.slice(0, index).filter((l) => !extra.includes(l));
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
                message: `src/${layer} may import only from ${allowed.join(', ') || 'nothing else in src'} (see docs/architecture.md, "Imports")`,
              },
            ],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-check/**',
      'docs/api/**',
      'coverage/**',
      'node_modules/**',
      '.venv/**',
      '.venv-services/**',
      // the test services' venv before .venv-services/, in older checkouts
      '.venv-milvus/**',
      '.tmp/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...layerRules(),
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
