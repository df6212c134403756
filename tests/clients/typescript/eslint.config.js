// ESLint for the generated TypeScript client, run from clients/typescript with
// `eslint -c <this file> src`: the recommended and strict, type-checked rule sets of
// typescript-eslint plus its stylistic ones; zero warnings allowed.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    files: ["src/**/*.ts"],
    languageOptions: {
      parserOptions: { project: "./tsconfig.json", tsconfigRootDir: process.cwd() },
    },
    rules: {
      // Numbers in messages (`HTTP ${status}`) are what a template literal is for.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // An aborted call rejects with the signal's reason, whatever it is, as fetch does.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
    },
  },
);
