// Lint = the layer rule of docs/architecture (ARCHITECTURE.md §1), enforced, not hoped for.
import tseslint from 'typescript-eslint';

const electron = { name: 'electron', message: 'Only src-main/electron and src-preload may import electron.' };
const noNode = { group: ['node:*'], message: 'common/ is pure TypeScript: no node:* imports.' };
const noElectronPaths = {
  group: ['**/electron/**', '**/electron'],
  message: 'runtime never imports the electron shell.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', '.vite/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {},
  },
  {
    files: ['src-main/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            noNode,
            {
              group: ['**/runtime/**', '**/electron/**', '**/src-renderer/**', '**/src-preload/**'],
              message: 'common imports nothing of ours.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/runtime/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            noElectronPaths,
            { group: ['**/src-renderer/**', '**/src-preload/**'], message: 'runtime does not import UI code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser.' },
            {
              group: ['**/src-main/electron/**', '**/src-preload/**'],
              message: 'The renderer talks to the shell over tRPC only.',
            },
            {
              group: ['**/src-main/runtime/**', '!**/src-main/runtime/api', '!**/src-main/runtime/api/**'],
              message: 'The renderer may import runtime code only from runtime/api, and only types.',
            },
            {
              group: ['**/src-main/runtime/api', '**/src-main/runtime/api/**'],
              allowTypeImports: true,
              message: 'Import runtime/api with `import type` only.',
            },
          ],
        },
      ],
    },
  },
);
