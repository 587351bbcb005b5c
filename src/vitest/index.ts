import type {} from "vitest";
import type { FakeBatchMatchers } from "../jest/matchers";

export { matchers, type AsymmetricMatcher, type CommandClass, type FakeBatchMatchers, type InputOf } from "../jest/matchers";

// Vitest's assertions. Augmenting `Assertion` (rather than Vitest 3.2's `Matchers`) works with every Vitest.
declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Assertion<T = any> extends FakeBatchMatchers<void> {}
}

// `import "parlel-batch/vitest"` registers the matchers with Vitest's expect. Vitest can only be imported, not
// required, so that is done by this entry's ES module (scripts/build-esm.cjs), which imports `expect` from "vitest".
