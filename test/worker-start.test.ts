/**
 * What a worker loads before it can greet: the worker host, the IPA and its contract, and of
 * ts-ipa's runtime only what they use. libcamera's proxy gives a worker 2 s (its call timeout)
 * from spawn to init's reply, and the pipeline handler's side of the runtime (starting workers,
 * verifying modules) was a third of a worker's loading. Which files load is checked here, in a
 * fresh Node each time; how long a start takes is the bench's (bench/cold-start.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support';

const dist = path.join(root, 'dist');

/** The pipeline handler's side: what neither a contract module nor a worker has any use for. */
const HANDLER_SIDE = [
  'runtime/proxy/create.js', 'runtime/proxy/sandbox.js', 'runtime/ipc/pipe.js', 'runtime/ipc/thread-pipe.js',
  'runtime/proxy/direct.js', 'runtime/modules/manager.js', 'runtime/modules/signature.js', 'runtime/modules/loader.js',
  'runtime/modules/manifest.js', 'runtime/v4l2/device-node.js',
];
const HANDLER_BUILTINS = ['child_process', 'crypto', 'vm'];

interface Loaded {
  files: string[];
  builtins: string[];
}

/** Runs `code` as a script file (not `node -e`, which loads builtins of its own) and reads what it printed. */
function probe(code: string, extension = '.js'): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-start-'));
  try {
    const file = path.join(dir, `probe${extension}`);
    fs.writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const LOADED = `{
  files: Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(`${dist}/`)})).map((f) => f.slice(${dist.length + 1})),
  builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/')).map((m) => m.slice(13)),
}`;

function loadedBy(files: string[]): Loaded {
  return probe(`${files.map((f) => `require(${JSON.stringify(path.join(dist, f))});`).join('\n')}\nconsole.log(JSON.stringify(${LOADED}));\n`) as Loaded;
}

describe('a worker loads only what a worker needs', () => {
  it('a contract module: its declarations and the helpers its generated code calls, none of the pipeline handler\'s side', () => {
    const loaded = loadedBy(['platforms/vimc/contract.js']);
    expect(loaded.files).toContain('runtime/internal.js');
    expect(loaded.files.filter((f) => HANDLER_SIDE.includes(f))).toEqual([]);
    expect(loaded.builtins.filter((b) => HANDLER_BUILTINS.includes(b))).toEqual([]);
  });

  it('the process-mode worker host with the vimc IPA: neither', () => {
    const loaded = loadedBy(['runtime/worker/host.js', 'platforms/vimc/ipa/index.js']);
    expect(loaded.files).toContain('runtime/ipc/worker-endpoint.js');
    expect(loaded.files.filter((f) => HANDLER_SIDE.includes(f))).toEqual([]);
    expect(loaded.builtins.filter((b) => HANDLER_BUILTINS.includes(b))).toEqual([]);
  });
});

describe("the public face's pipeline-handler names", () => {
  const names = ['createProxy', 'DirectProxy', 'IPCPipeUnixSocket', 'ThreadPipe', 'sandboxSupport', 'yieldHelperThreads', 'IPAManager', 'defaultIPAManager', 'TrustedKeys', 'signModule', 'verifyModule', 'readManifest', 'projectPublicKey', 'MODULE_PATH_ENV'];

  it('load their modules when first read, from require', () => {
    const { before, types, after } = probe(`const ts = require(${JSON.stringify(path.join(dist, 'runtime'))});
const before = ${LOADED};
const types = ${JSON.stringify(names)}.map((name) => typeof ts[name]);
console.log(JSON.stringify({ before, types, after: ${LOADED} }));
`) as { before: Loaded; types: string[]; after: Loaded };
    expect(before.files.filter((f) => HANDLER_SIDE.includes(f))).toEqual([]);
    expect(types).toEqual(names.map((name) => (name === 'MODULE_PATH_ENV' ? 'string' : 'function')));
    expect(after.files).toEqual(expect.arrayContaining(['runtime/proxy/create.js', 'runtime/modules/manager.js']));
  });

  it('are named exports to an ES module, the same values as require gives', () => {
    const index = path.join(dist, 'runtime/index.js');
    const same = probe(`import { createRequire } from 'node:module';
import * as ts from ${JSON.stringify(index)};
import { ${names.join(', ')} } from ${JSON.stringify(index)};
const required = createRequire(import.meta.url)(${JSON.stringify(index)});
const imported = { ${names.join(', ')} };
console.log(JSON.stringify(${JSON.stringify(names)}.map((name) => imported[name] !== undefined && imported[name] === required[name] && ts[name] === required[name])));
`, '.mjs');
    expect(same).toEqual(names.map(() => true));
  });
});
