import fs from 'node:fs';
import Module, { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { ModuleError } from '../errors';
import type { VerifiedModule } from './signature';

/**
 * ts-ipa's own code, which a trusted module may require from disk: its runtime and its platforms
 * (the built-in vimc module requires its platform's contract and params). Whoever can change
 * these files can change the runtime itself; no module can.
 */
const PACKAGE_CODE = [path.join(__dirname, '..'), path.join(__dirname, '../../platforms')].map((dir) => `${dir}${path.sep}`);

const REFUSED = "the module's signed code may require only its own signed files, Node's built-in modules, ts-ipa, and modules the pipeline handler has loaded";

/** The files the pipeline handler has loaded: modules a trusted module may share with it (its contract, say). */
export function handlerModules(): string[] {
  return Object.keys(require.cache);
}

/**
 * Runs a verified module's entry from its verified bytes and returns its exports. What runs in
 * the pipeline handler's process is exactly what was verified: the module's own files come from
 * `module.files`, never from disk, however its directory changed since the scan. A require that
 * leaves them is let through only to Node's built-in modules, ts-ipa's own code and the files in
 * `loaded` (what the handler had loaded); anything else is refused with a ModuleError naming the
 * file it would have loaded, before any of that file runs. Native addons cannot load from bytes
 * and are refused; so is `import()` (no loader is given to the compiled code).
 */
export function runVerifiedModule(module: VerifiedModule, loaded: ReadonlySet<string>): unknown {
  const compiled = new Map<string, Module>();
  const own = (name: string): unknown => {
    const done = compiled.get(name);
    if (done) return done.exports;
    const filename = path.join(module.directory, name);
    if (name.endsWith('.node')) throw new ModuleError(filename, 'a native addon cannot be loaded from verified bytes; run the module in process mode');
    const text = new TextDecoder().decode(module.files.get(name)!); // strips a BOM, as Node's loader does
    const record = new Module(filename);
    record.filename = filename;
    record.paths = [];
    compiled.set(name, record);
    try {
      if (name.endsWith('.json')) {
        record.exports = JSON.parse(text);
      } else {
        const require = requireFrom(name);
        record.require = require as unknown as typeof record.require;
        // The CommonJS wrapper Node itself uses; a #! line is kept as a comment, lines unchanged.
        const source = text.startsWith('#!') ? `//${text}` : text;
        const wrapper = vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
        wrapper.call(record.exports, record.exports, require, record, filename, path.dirname(filename));
      }
    } catch (error) {
      // As Node's loader: a file that failed to load is not half-loaded for the next require.
      compiled.delete(name);
      throw error;
    }
    record.loaded = true;
    return record.exports;
  };

  /** The verified file a path inside the module names, trying Node's extensions and index files. */
  const ownFile = (relative: string): string | undefined => {
    const base = relative.split(path.sep).join('/');
    const candidates = base === '' ? ['index.js', 'index.json', 'index.node'] : [base, `${base}.js`, `${base}.json`, `${base}.node`, `${base}/index.js`, `${base}/index.json`, `${base}/index.node`];
    return candidates.find((name) => module.files.has(name));
  };
  const inside = (file: string): string | undefined => {
    const relative = path.relative(module.directory, file);
    return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative) ? undefined : relative;
  };

  /** What `request` from the file `from` would load: a verified file of the module, or a file on disk that may be loaded. */
  const resolve = (from: string, request: string): { own: string } | { host: string } => {
    if (typeof request !== 'string' || request === '') throw new TypeError('require: the module name must be a non-empty string');
    if (isBuiltin(request)) return { host: request };
    const fromFile = path.join(module.directory, from);
    if (request === '.' || request === '..' || /^\.\.?\//.test(request) || path.isAbsolute(request)) {
      const target = path.resolve(path.dirname(fromFile), request);
      const relative = inside(target);
      if (relative !== undefined) {
        const name = ownFile(relative);
        if (name) return { own: name };
        throw new ModuleError(target, "is not among the module's signed files, which are all that may load from its directory");
      }
    }
    // Outside the module: found as Node would find it, then allowed or refused by where it is.
    let found: string;
    try {
      found = createRequire(fromFile).resolve(request);
    } catch (error) {
      throw new ModuleError(path.isAbsolute(request) ? request : path.resolve(path.dirname(fromFile), request), `cannot be found (required by ${from}: ${(error as NodeJS.ErrnoException).code ?? 'not found'})`);
    }
    if (isBuiltin(found)) return { host: found };
    let real: string;
    try {
      real = fs.realpathSync(found);
    } catch {
      real = found;
    }
    const relative = inside(real);
    if (relative !== undefined) {
      const name = ownFile(relative);
      if (name && real === path.join(module.directory, name)) return { own: name };
      throw new ModuleError(real, "is not among the module's signed files, which are all that may load from its directory");
    }
    if (loaded.has(real) || PACKAGE_CODE.some((dir) => real.startsWith(dir))) return { host: real };
    throw new ModuleError(real, REFUSED);
  };

  const requireFrom = (from: string) => {
    const verifiedRequire = (request: string): unknown => {
      const target = resolve(from, request);
      return 'own' in target ? own(target.own) : hostRequire(target.host);
    };
    verifiedRequire.resolve = (request: string): string => {
      const target = resolve(from, request);
      return 'own' in target ? path.join(module.directory, target.own) : target.host;
    };
    verifiedRequire.main = require.main;
    return verifiedRequire;
  };

  return own(module.entry);
}

/** Node's own require, for what a verified module may load from outside itself. */
const hostRequire = (id: string): unknown => require(id);
