import { matchers, type FakeBatchMatchers } from "./matchers";

export { matchers, type CommandClass, type FakeBatchMatchers } from "./matchers";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Matchers<R> extends FakeBatchMatchers<R> {}
  }
}

// `import "parlel-batch/jest"` is enough: the matchers register themselves with Jest's global expect.
const globalExpect = (globalThis as { expect?: { extend(matchers: object): void } }).expect;
if (globalExpect) globalExpect.extend(matchers);
