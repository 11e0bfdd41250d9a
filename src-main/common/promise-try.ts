/**
 * `Promise.try` (not in Node 20): runs `fn` now and settles with what it returns or throws, so a
 * synchronous throw becomes a rejection, as in an `async` function that never awaits. For methods
 * whose contract is a promise (callers use `.catch`) but whose body has nothing to await.
 */
export function promiseTry<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  return new Promise((resolve) => {
    resolve(fn());
  });
}
