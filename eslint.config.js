// Lint: typescript-eslint with type information (the rules that need the checker, such as
// no-floating-promises, are the ones that catch real bugs in async service code).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "src/generated/", ".run/", ".venv-aws/", "test-output/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // An async function that implements a Promise-returning interface needs no await.
      "@typescript-eslint/require-await": "off",
      // Rethrowing what a catch received (unknown) is fine; throwing a literal is not.
      "@typescript-eslint/only-throw-error": ["error", { allowThrowingUnknown: true }],
      eqeqeq: ["error", "always"],
      // A variable read by a closure before its one assignment cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The pages' scripts run in the browser, unbundled.
    files: ["src/http/assets/**/*.js"],
    languageOptions: { globals: globals.browser, sourceType: "module" },
  },
  {
    files: ["eslint.config.js", ".dependency-cruiser.cjs"],
    languageOptions: { globals: globals.node },
  },
);
