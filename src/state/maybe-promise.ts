/**
 * Whether a value is a promise. Calls answer without a turn of the event loop when nothing waits, so a result
 * is a value or a promise of one, and each layer looks before it awaits.
 */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === "function";
}
