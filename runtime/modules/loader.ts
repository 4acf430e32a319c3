import fs from 'node:fs';
import Module, { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { ModuleError } from '../errors';
import type { VerifiedModule } from './signature';

/**
 * ts-ipa's own code, which a trusted module may require from disk: its runtime, its libipa (what
 * IPAs build on) and its platforms (the built-in vimc module requires its platform's contract
 * and params). Whoever can change these files can change the runtime itself; no module can.
 */
const PACKAGE_CODE = ['..', '../../ipa', '../../platforms'].map((dir) => `${path.join(__dirname, dir)}${path.sep}`);

/** Resolves package names as ts-ipa itself would: its own name, then what it was installed with. */
const packageRequire = createRequire(path.join(__dirname, '../../../package.json'));
const EXTENSIONS = ['.js', '.json', '.node'];

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

  /** A package in the module's own signed node_modules: its verified package.json's "main", or its index. */
  const ownPackage = (relative: string): string | undefined => {
    const base = relative.split(path.sep).join('/');
    const manifest = module.files.get(`${base}/package.json`);
    if (manifest) {
      const main = (JSON.parse(new TextDecoder().decode(manifest)) as { main?: unknown }).main;
      if (typeof main === 'string') {
        const name = inside(path.join(module.directory, base, main));
        const file = name === undefined ? undefined : ownFile(name);
        if (file) return file;
      }
    }
    return ownFile(base);
  };
  const notSigned = (file: string) => new ModuleError(file, "is not among the module's signed files, which are all that may load from its directory");

  /**
   * What `request` from the verified file `from` loads: a verified file of the module, or a file
   * on disk that may be loaded (a built-in, ts-ipa's code, a file the handler loaded). Outside
   * the module only file metadata is looked at (stat, realpath), never a file's contents, and no
   * node_modules outside the module is searched but those ts-ipa itself was installed with: the
   * module's neighbours cannot answer a require with a package of their own, or a FIFO that
   * blocks the handler.
   */
  const resolve = (from: string, request: string): { own: string } | { host: string } => {
    if (typeof request !== 'string' || request === '') throw new TypeError('require: the module name must be a non-empty string');
    if (isBuiltin(request)) return { host: request };
    const fromDir = path.dirname(path.join(module.directory, from));
    if (request === '.' || request === '..' || /^\.\.?\//.test(request) || path.isAbsolute(request)) {
      const target = path.resolve(fromDir, request);
      const relative = inside(target);
      if (relative !== undefined) {
        const name = ownFile(relative);
        if (name) return { own: name };
        throw notSigned(target);
      }
      return outside(from, [target, ...EXTENSIONS.map((ext) => `${target}${ext}`), ...EXTENSIONS.map((ext) => path.join(target, `index${ext}`))], target);
    }
    // A package name: the module's own signed node_modules first, nearest first, as Node looks ...
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const relative = inside(path.join(dir, 'node_modules', request));
      const name = relative === undefined ? undefined : ownPackage(relative);
      if (name) return { own: name };
      if (dir === module.directory || inside(dir) === undefined) break;
    }
    // ... then ts-ipa itself (by its own name) and the packages installed beside it.
    let found: string;
    try {
      found = packageRequire.resolve(request);
    } catch {
      throw new ModuleError(request, `cannot be found (required by ${from}) among the module's signed files, ts-ipa and the packages installed beside ts-ipa`);
    }
    return isBuiltin(found) ? { host: found } : outside(from, [found], found);
  };

  /** The first of `candidates` that is a file: loaded from disk if it may be, else refused by name. */
  const outside = (from: string, candidates: string[], shownAs: string): { own: string } | { host: string } => {
    for (const candidate of candidates) {
      let real: string;
      try {
        real = fs.realpathSync(candidate);
        if (!fs.statSync(real).isFile()) continue;
      } catch {
        continue;
      }
      const relative = inside(real);
      if (relative !== undefined) {
        // A link from outside back into the module: only to a signed file, and then its bytes.
        const name = ownFile(relative);
        if (name && real === path.join(module.directory, name)) return { own: name };
        throw notSigned(real);
      }
      if (loaded.has(real) || PACKAGE_CODE.some((dir) => real.startsWith(dir))) return { host: real };
      throw new ModuleError(real, REFUSED);
    }
    throw new ModuleError(shownAs, `cannot be found (required by ${from})`);
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
