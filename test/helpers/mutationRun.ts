/**
 * Whether this test file runs inside a StrykerJS mutation run (its tap runner sets STRYKER_DRY_RUN for every test
 * process). Tests that only check child processes killed by signals skip there: a child process reports no
 * coverage to Stryker, and their timing differs in its instrumented sandbox.
 */
export const UNDER_MUTATION_RUN = process.env.STRYKER_DRY_RUN !== undefined;
