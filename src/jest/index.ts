import { matchers, type FakeBatchMatchers } from "./matchers";

export { matchers, type AsymmetricMatcher, type CommandClass, type FakeBatchMatchers, type InputOf } from "./matchers";

declare global {
  // The global `expect` of @types/jest.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R> extends FakeBatchMatchers<R> {}
  }
}

// The `expect` imported from "@jest/globals", whose matchers are those of Jest's "expect" package.
declare module "expect" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends FakeBatchMatchers<R> {}
}

interface Extendable {
  extend(matchers: object): void;
}

/** Jest's expect: the global one, or with `injectGlobals: false` the one "@jest/globals" gives each test file. */
function jestExpect(): Extendable | undefined {
  const global = (globalThis as { expect?: Extendable }).expect;
  if (global) return global;
  try {
    return (require("@jest/globals") as { expect?: Extendable }).expect;
  } catch {
    return undefined;
  }
}

// `import "parlel-batch/jest"` is enough: the matchers register themselves with Jest's expect.
jestExpect()?.extend(matchers);
