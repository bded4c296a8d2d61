import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", "prisma/migrations/", ".dependency-cruiser.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["error"] }],
      // Handlers are async to fit their interface even when they do not wait on anything.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Plain JavaScript outside the TypeScript project: the chart thread's loader bootstrap.
    files: ["eslint.config.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The terminal adapter, scripts and benchmarks talk to a person on stdout.
    files: ["adapters/local/**", "scripts/**", "bench/**", "prisma/seed*.ts"],
    rules: { "no-console": "off" },
  },
);
