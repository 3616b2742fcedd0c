/**
 * Parts of a peer loaded on first use. A page that never touches the ledger or file sharing
 * never downloads their code: the peer hands out a stand-in whose methods wait for the part's
 * module (a dynamic `import`, which a bundler splits into a chunk of its own), make the part
 * once, and call it.
 *
 * @module
 */

/** The methods of `T` that answer with a promise: what a stand-in can wait behind. */
export type AsyncMethodsOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/**
 * Makes a part once, on first call: the promise of it, kept (a failed load is tried again on
 * the next call, so that a page that lost its network for a moment is not stuck).
 *
 * @example Usage
 * ```ts
 * import { once } from "./lazy.ts";
 * let made = 0;
 * const part = once(() => Promise.resolve(++made));
 * await part(); await part();
 * console.assert(made === 1);
 * ```
 *
 * @param make Loads the part's module and makes the part.
 * @returns A function that answers the part.
 */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((error) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}

/**
 * A stand-in for a part: each named method loads the part (once) and calls it with the same
 * arguments. Only methods that answer with a promise can be named, since the part is not there
 * yet when they are called.
 *
 * @example Usage
 * ```ts
 * import { lazyMethods } from "./lazy.ts";
 * class Ledger { async balance(id: string) { return id.length; } }
 * const ledger = lazyMethods(() => import("./lazy.ts").then(() => new Ledger()), ["balance"]);
 * console.assert(await ledger.balance("abc") === 3);
 * ```
 *
 * @param load Loads the part (called once, on the first call of a method).
 * @param names The methods the stand-in has.
 * @returns The stand-in.
 */
export function lazyMethods<T extends object, K extends AsyncMethodsOf<T>>(
  load: () => Promise<T>,
  names: readonly K[],
): Pick<T, K> {
  const part = once(load);
  const standIn: Record<PropertyKey, unknown> = {};
  for (const name of names) {
    standIn[name] = async (...args: unknown[]) => {
      const it = await part();
      return (it[name] as (...a: unknown[]) => Promise<unknown>).apply(it, args);
    };
  }
  return standIn as Pick<T, K>;
}
