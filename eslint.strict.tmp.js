import tseslint from 'typescript-eslint';
export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', '.vite/**', '.cache/**', '*.config.*', 'eslint.config.js'] },
  ...tseslint.configs.strictTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: '/work/main' } },
    rules: { '@typescript-eslint/switch-exhaustiveness-check': 'error' } },
);
