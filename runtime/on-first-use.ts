/**
 * A module's exports that load the module the first time one of them is read: for the heavy
 * parts of the public face (runtime/index.ts), which a contract module or an IPA, loading that
 * face in its worker, never reads.
 */
export function onFirstUse<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  return new Proxy({} as T, { get: (_empty, name) => Reflect.get((loaded ??= load()), name) });
}
