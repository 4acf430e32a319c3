/**
 * Ways out of the process-mode sandbox, each tried by a hostile module run through the real
 * IPAManager: reading through links the module ships, renicing the pipeline handler with the
 * capabilities a root worker kept, memory the data limit does not count, and changing file
 * metadata. Where an
 * attack needs native code (a V8 exploit's), a small syscall gadget is loaded into the worker
 * before it enters the sandbox, by a custom worker command: what the kernel layer alone must hold.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveChildren, root, runtime } from '../support';
import { baseline, expectUnharmed, managerFor, paths, scratch, writeModule, type ModuleSpec } from './harness';
import type { IPASandboxProbeInterface } from '../../dist/test/contracts/sandbox-probe-contract.js';

const { IPASandboxProbeInterface: ProbeContract } = require(paths.probeContract) as typeof import('../../dist/test/contracts/sandbox-probe-contract.js');
const { SharedFD, SharedMemory } = runtime;
const HOST = path.join(root, 'dist/runtime/worker/host.js');
const MiB = 1024 * 1024;

const work = scratch('escape');
afterAll(() => work.cleanup());

/**
 * The source of a probe IPA whose `attempt(action, argument, fd)` runs `actions[action]` (an
 * object literal, source) and answers "done: <result>" or "refused: <code>: <message>".
 */
function probeSource(actions: string, tsIpa = paths.runtime): string {
  return `'use strict';
const fs = require('node:fs');
const os = require('node:os');
const { defineIPA, SharedMemory } = require(${JSON.stringify(tsIpa)});
const { IPASandboxProbeInterface } = require(${JSON.stringify(paths.probeContract)});
const raw = require(${JSON.stringify(paths.addon)});
const gadget = globalThis.tsIpaGadget;
const kept = [];
const actions = ${actions};
const describe = (e) => 'refused: ' + (e.info?.code ?? e.code ?? e.name) + ': ' + String(e.message).split('\\n')[0];
module.exports.default = defineIPA(IPASandboxProbeInterface, () => ({
  init() {},
  start() {},
  stop() {},
  async attempt(action, argument, fd) {
    try {
      return 'done: ' + String(await actions[action](argument, fd));
    } catch (e) {
      return describe(e);
    }
  },
}));
`;
}

type Probe = runtime.IPAProxy<IPASandboxProbeInterface>;
let count = 0;

/** A hostile probe module, alone under its own module root, opened through a manager. */
async function hostile(actions: string, options: { spec?: Partial<ModuleSpec>; proxy?: Partial<runtime.ProxyOptions<IPASandboxProbeInterface>>; tsIpa?: string } = {}) {
  const name = `escape${++count}`;
  const moduleRoot = path.join(work.dir, name, 'modules');
  const directory = writeModule(moduleRoot, name, { pipeline: name, entry: probeSource(actions, options.tsIpa), ...options.spec });
  const open = () => managerFor(moduleRoot).createIPA(ProbeContract, { pipeline: name, isolation: 'process', ...options.proxy });
  return { directory, open };
}

/** Opens the probe and gives its `attempt` and the worker's pid. */
async function opened(ipa: Probe) {
  const attempt = (action: string, argument = '', fd: runtime.SharedFD = SharedFD.invalid) => ipa.attempt(action, argument, fd);
  const pid = Number((await attempt('pid')).replace(/^done: /, ''));
  return { attempt, pid };
}

/** Each field of /proc/<pid>/task/<tid>/status named `field`, for every thread of `pid`. */
function perThread(pid: number, field: string): string[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return status.match(new RegExp(`^${field}:\\s+(.*)$`, 'm'))![1]!;
  });
}

function residentMb(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)![1]) / 1024;
}

/**
 * The capability sets every thread of a worker must have empty. The bounding set too when this
 * process could drop it (CAP_SETPCAP, as root): without, it grants nothing (no exec) and stays.
 */
const CAP_SETPCAP = 8n;
const EMPTIED = (BigInt(`0x${perThread(process.pid, 'CapEff')[0]}`) >> CAP_SETPCAP) & 1n
  ? ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']
  : ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'];

/** Whether this kernel has Landlock (the kernel layer for reads). */
const landlock = runtime.sandboxSupport().landlockAbi > 0;

// -------------------------------------------------------------------------------------------
// A syscall gadget: native code in the worker, as an exploit would have. N-API is declared by
// hand (no headers needed); node resolves the symbols when the gadget is loaded.
const GADGET_SOURCE = `
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
typedef struct napi_env__* napi_env;
typedef struct napi_value__* napi_value;
typedef struct napi_callback_info__* napi_callback_info;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
extern int napi_get_cb_info(napi_env, napi_callback_info, size_t*, napi_value*, napi_value*, void**);
extern int napi_get_value_int64(napi_env, napi_value, int64_t*);
extern int napi_get_value_string_utf8(napi_env, napi_value, char*, size_t, size_t*);
extern int napi_create_int64(napi_env, int64_t, napi_value*);
extern int napi_create_function(napi_env, const char*, size_t, napi_callback, void*, napi_value*);
extern int napi_set_named_property(napi_env, napi_value, const char*, napi_value);

static size_t args(napi_env env, napi_callback_info info, int64_t* out, size_t max) {
  napi_value argv[8];
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  for (size_t i = 0; i < max; i++) { out[i] = 0; if (i < argc) napi_get_value_int64(env, argv[i], &out[i]); }
  return argc;
}
static napi_value number(napi_env env, int64_t value) { napi_value v; napi_create_int64(env, value, &v); return v; }

/* syscall(nr, a0..a5): the result, or -errno */
static napi_value Syscall(napi_env env, napi_callback_info info) {
  int64_t a[7];
  args(env, info, a, 7);
  long r = syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  return number(env, r == -1 ? -errno : r);
}
/* fill(address, length): writes every byte, so every page is resident */
static napi_value Fill(napi_env env, napi_callback_info info) {
  int64_t a[2];
  args(env, info, a, 2);
  memset((void*)(intptr_t)a[0], 1, (size_t)a[1]);
  return number(env, a[1]);
}
/* cstring(text): a NUL-terminated copy, never freed */
static napi_value CString(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1, length = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_string_utf8(env, argv[0], NULL, 0, &length);
  char* text = calloc(1, length + 1);
  napi_get_value_string_utf8(env, argv[0], text, length + 1, &length);
  return number(env, (int64_t)(intptr_t)text);
}
/* words(w0, ..): 256 zeroed bytes starting with these 32-bit words, never freed */
static napi_value Words(napi_env env, napi_callback_info info) {
  int64_t a[8];
  size_t n = args(env, info, a, 8);
  uint32_t* words = calloc(64, sizeof(uint32_t));
  for (size_t i = 0; i < n && i < 8; i++) words[i] = (uint32_t)a[i];
  return number(env, (int64_t)(intptr_t)words);
}
static void define(napi_env env, napi_value exports, const char* name, napi_callback callback) {
  napi_value f;
  napi_create_function(env, name, strlen(name), callback, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}
napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  define(env, exports, "syscall", Syscall);
  define(env, exports, "fill", Fill);
  define(env, exports, "cstring", CString);
  define(env, exports, "words", Words);
  return exports;
}
`;

/** System call numbers the gadget attacks use (x86_64, aarch64). */
const NR = (() => {
  const x64 = {
    mmap: 9, shmget: 29, shmat: 30, shmctl: 31, semget: 64, msgget: 68, ftruncate: 77, fchmod: 91, fchown: 93, getpriority: 140,
    setpriority: 141, sched_setparam: 142, sched_setscheduler: 144, quotactl: 179, setxattr: 188, lsetxattr: 189, fsetxattr: 190,
    removexattr: 197, fremovexattr: 199, sched_setaffinity: 203, mq_open: 240, ioprio_set: 251, openat: 257, utimensat: 280,
    fallocate: 285, prlimit64: 302, name_to_handle_at: 303, open_by_handle_at: 304, sched_setattr: 314, memfd_create: 319, capset: 126,
    io_uring_setup: 425, pidfd_getfd: 438, process_madvise: 440, memfd_secret: 447, fchmodat2: 452, setxattrat: 463, removexattrat: 466,
    file_setattr: 469, ioctl: 16, fcntl: 72,
  };
  const arm64: typeof x64 = {
    mmap: 222, shmget: 194, shmat: 196, shmctl: 195, semget: 190, msgget: 186, ftruncate: 46, fchmod: 52, fchown: 55, getpriority: 141,
    setpriority: 140, sched_setparam: 118, sched_setscheduler: 119, quotactl: 60, setxattr: 5, lsetxattr: 6, fsetxattr: 7,
    removexattr: 14, fremovexattr: 16, sched_setaffinity: 122, mq_open: 180, ioprio_set: 30, openat: 56, utimensat: 88,
    fallocate: 47, prlimit64: 261, name_to_handle_at: 264, open_by_handle_at: 265, sched_setattr: 274, memfd_create: 279, capset: 91,
    io_uring_setup: 425, pidfd_getfd: 438, process_madvise: 440, memfd_secret: 447, fchmodat2: 452, setxattrat: 463, removexattrat: 466,
    file_setattr: 469, ioctl: 29, fcntl: 25,
  };
  return process.arch === 'arm64' ? arm64 : x64;
})();
const errnoName = (result: number) => (result >= 0 ? `ok ${result}` : Object.entries(os.constants.errno).find(([, n]) => n === -result)?.[0] ?? String(result));

let gadgetCommand: [string, ...string[]];
beforeAll(() => {
  const source = path.join(work.dir, 'gadget.c');
  const gadget = path.join(work.dir, 'gadget.node');
  fs.writeFileSync(source, GADGET_SOURCE);
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', gadget, source]);
  const preload = path.join(work.dir, 'gadget-preload.js');
  // Loaded before the host enters the sandbox, as native code an exploit brought would be; an
  // fs call starts libuv's thread pool first, so that its threads predate the sandbox too.
  fs.writeFileSync(preload, `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(gadget)}); globalThis.tsIpaGadget = m.exports; require('node:fs').stat('/', () => {});\n`);
  gadgetCommand = [process.execPath, '--require', preload, HOST];
});

/**
 * Gadget actions. syscall: the system call and arguments in the argument's JSON array, where
 * "$fd" is the fd handed with the call, "$words:a,b,.." memory holding those 32-bit words, and
 * any other string a C string.
 */
const GADGET_ACTIONS = `{
  pid: () => process.pid,
  syscall: (argument, fd) => {
    const [nr, ...rest] = JSON.parse(argument);
    const value = (a) => {
      if (typeof a !== 'string') return a;
      if (a === '$fd') return fd.fd;
      if (a.startsWith('$words:')) return gadget.words(...a.slice(7).split(',').filter(Boolean).map(Number));
      return gadget.cstring(a);
    };
    return gadget.syscall(nr, ...rest.map(value));
  },
  // mmap(length, prot, flags, fd), then every byte written: how much of it became resident
  'map-and-fill': (argument, fd) => {
    const [nr, length, prot, flags, useFd] = JSON.parse(argument);
    const address = gadget.syscall(nr, 0, length, prot, flags, useFd ? fd.fd : -1, 0);
    if (address < 0 && address > -4096) return address;
    return gadget.fill(address, length);
  },
  'shm-and-fill': (argument) => {
    const [nrGet, nrAt, nrCtl, length] = JSON.parse(argument);
    const id = gadget.syscall(nrGet, 0 /* IPC_PRIVATE */, length, 0o1600 /* IPC_CREAT | 0600 */);
    if (id < 0) return id;
    const address = gadget.syscall(nrAt, id, 0, 0);
    gadget.syscall(nrCtl, id, 0 /* IPC_RMID: gone once detached, so that a sandbox that let it through leaks nothing */, 0);
    if (address < 0 && address > -4096) return address;
    return gadget.fill(address, length);
  },
  'read-hostname-async': () => fs.promises.readFile('/etc/hostname', 'utf8').then((t) => t.length),
  'open-read': (file) => { const fd = fs.openSync(file, 'r'); fs.closeSync(fd); return 'opened'; },
}`;

/** A gadget probe (custom worker command: the kernel layer only, with native code inside). */
async function gadgetProbe(options: { sandbox?: runtime.SandboxOptions; fd?: runtime.SharedFD } = {}) {
  const { open } = await hostile(GADGET_ACTIONS, { proxy: { workerCommand: gadgetCommand, sandbox: options.sandbox } });
  const ipa = await open();
  const { attempt, pid } = await opened(ipa);
  const call = async (name: keyof typeof NR, ...rest: (number | string)[]) => {
    const answer = await attempt('syscall', JSON.stringify([NR[name], ...rest]), options.fd);
    expect(answer, name).toMatch(/^done: -?\d+$/);
    return errnoName(Number(answer.slice('done: '.length)));
  };
  return { ipa, attempt, pid, call };
}

// -------------------------------------------------------------------------------------------
describe('1. reading through a link the module ships', () => {
  const secretDir = path.join(work.dir, 'secrets');
  const secret = path.join(secretDir, 'token');
  beforeAll(() => {
    fs.mkdirSync(secretDir, { recursive: true });
    fs.writeFileSync(secret, 'the pipeline handler\'s token');
  });

  const READS = `{
    pid: () => process.pid,
    read: (file) => fs.readFileSync(file).length,
    rss: () => process.memoryUsage().rss > 0,
    // argument: "<file>@<hex address>": 16 bytes of another process's memory
    'read-mem': (argument) => {
      const [file, at] = argument.split('@');
      const fd = fs.openSync(file, 'r');
      try {
        const bytes = Buffer.alloc(16);
        fs.readSync(fd, bytes, 0, 16, parseInt(at, 16));
        return bytes.toString('hex');
      } finally {
        fs.closeSync(fd);
      }
    },
  }`;

  it('a module whose directory holds links leading out of what it may read is refused before a worker starts, naming the link', async () => {
    const { directory, open } = await hostile(READS, {
      spec: {
        prepare: (dir) => {
          fs.symlinkSync('/', path.join(dir, 'root'));
          fs.mkdirSync(path.join(dir, 'lib'));
          fs.symlinkSync('../../..', path.join(dir, 'lib', 'up'));
        },
      },
    });
    const before = baseline();
    const children = liveChildren();
    let error: unknown;
    try {
      const ipa = await open();
      // (Without the check, the IPA reads whatever the link leads to.)
      const { attempt } = await opened(ipa);
      error = new Error(`the worker started and read ${await attempt('read', path.join(directory, 'root/etc/shadow'))}`);
      await ipa.close();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(runtime.SandboxError);
    expect((error as runtime.SandboxError).link).toBe(path.join(directory, 'lib', 'up'));
    const above = path.resolve(directory, 'lib', '../../..');
    expect((error as runtime.SandboxError).target).toBe(above);
    expect((error as Error).message).toContain(`${path.join(directory, 'lib', 'up')} -> ${above} leads outside what the IPA may read`);
    expect(liveChildren()).toEqual(children);
    await expectUnharmed(before);
  });

  it('a module directory too big to check for links is refused before a worker starts, not walked while the handler waits', async () => {
    const { directory, open } = await hostile(READS, {
      spec: { prepare: (dir) => { for (let i = 0; i < 4100; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), ''); } },
    });
    const before = baseline();
    const children = liveChildren();
    await expect(open()).rejects.toThrow(new runtime.SandboxError(`the sandbox refuses to start the IPA: ${directory} is past 4096 entries or 16 levels in its module, too many to check for links`));
    expect(liveChildren()).toEqual(children);
    await expectUnharmed(before);
  });

  it.skipIf(!landlock)('a link that appears once the worker runs leads nowhere: the kernel (Landlock) refuses /etc/shadow, the handler\'s environ and memory, and files beside the module', async () => {
    const { directory, open } = await hostile(READS);
    const before = baseline();
    const ipa = await open();
    try {
      const { attempt } = await opened(ipa);
      // The directory changes after the proxy checked it (its owner, or a race).
      fs.symlinkSync('/', path.join(directory, 'root'));
      fs.symlinkSync(path.relative(directory, work.dir), path.join(directory, 'up'));
      const through = (p: string) => path.join(directory, 'root', p);
      expect(await attempt('read', through('etc/shadow'))).toMatch(/^refused: EACCES: EACCES: permission denied, open/);
      expect(await attempt('read', through(`proc/${process.pid}/environ`))).toMatch(/^refused: EACCES: /);
      const code = fs.readFileSync('/proc/self/maps', 'utf8').split('\n').find((line) => / r.xp /.test(line))!.split('-')[0]!;
      expect(await attempt('read-mem', `${through(`proc/${process.pid}/mem`)}@${code}`)).toMatch(/^refused: EACCES: /);
      expect(await attempt('read', path.join(directory, 'up', path.relative(work.dir, secret)))).toMatch(/^refused: EACCES: /);
      // What it may read, it still reads; Node reads its own /proc/<pid>.
      expect(await attempt('read', path.join(directory, 'index.js'))).toMatch(/^done: \d+$/);
      expect(await attempt('rss')).toBe('done: true');
    } finally {
      await ipa.close();
    }
    await expectUnharmed(before);
  });

  it.skipIf(!landlock)('what the handler lets it read is read where it really is: a link inside it to elsewhere is refused by the kernel', async () => {
    const tuning = path.join(work.dir, 'tuning');
    fs.mkdirSync(tuning);
    fs.writeFileSync(path.join(tuning, 'sensor.json'), '{}');
    fs.symlinkSync(secret, path.join(tuning, 'token'));
    const linkedTuning = path.join(work.dir, 'tuning-link');
    fs.symlinkSync(tuning, linkedTuning);
    const { open } = await hostile(READS, { proxy: { sandbox: { allowRead: [linkedTuning] } } });
    const before = baseline();
    const ipa = await open();
    try {
      const { attempt } = await opened(ipa);
      expect(await attempt('read', path.join(linkedTuning, 'sensor.json'))).toBe('done: 2');
      expect(await attempt('read', path.join(tuning, 'sensor.json'))).toBe('done: 2');
      expect(await attempt('read', path.join(linkedTuning, 'token'))).toMatch(/^refused: EACCES: /);
    } finally {
      await ipa.close();
    }
    await expectUnharmed(before);
  });

  it.skipIf(!landlock)('a ts-ipa linked into node_modules (npm link) loads, and nothing else of the tree it links to can be read (its sources)', async () => {
    const { directory, open } = await hostile(READS, { tsIpa: 'ts-ipa' });
    const project = path.dirname(path.dirname(directory));
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(root, path.join(project, 'node_modules', 'ts-ipa'), 'dir');
    // The build keeps no private key (it is never written), so the tree's sources stand for its secrets.
    const source = path.join(project, 'node_modules/ts-ipa/native/src/sandbox.cc');
    expect(fs.existsSync(source)).toBe(true);
    const before = baseline();
    const ipa = await open();
    try {
      const { attempt } = await opened(ipa);
      // Node's permission model grants the link with all below it; the kernel knows better.
      expect(await attempt('read', source)).toMatch(/^refused: EACCES: /);
      expect(await attempt('read', path.join(root, 'native/src/sandbox.cc'))).toMatch(/^refused: (EACCES|ERR_ACCESS_DENIED): /);
      expect(await attempt('read', path.join(project, 'node_modules/ts-ipa/package.json'))).toMatch(/^done: \d+$/);
    } finally {
      await ipa.close();
    }
    await expectUnharmed(before);
  });

  it.skipIf(!landlock)('native code reads nothing outside either: the kernel refuses /etc/hostname, /proc/<handler>/mem, on the thread pool too', async () => {
    const before = baseline();
    const { ipa, attempt, call } = await gadgetProbe();
    try {
      expect(await attempt('open-read', '/etc/hostname')).toMatch(/^refused: EACCES: /);
      expect(await attempt('open-read', `/proc/${process.pid}/mem`)).toMatch(/^refused: EACCES: /);
      // libuv's pool threads were started before the sandbox: they are in it all the same.
      expect(await attempt('read-hostname-async')).toMatch(/^refused: EACCES: /);
      expect(await call('openat', -100 /* AT_FDCWD */, '/etc/shadow', 0)).toBe('EACCES');
      expect(await call('pidfd_getfd', 0, 0, 0)).toBe('EPERM');
    } finally {
      await ipa.close();
    }
    await expectUnharmed(before);
  });
});

// -------------------------------------------------------------------------------------------
describe('2. priorities and capabilities', () => {
  it('the IPA cannot renice the pipeline handler nor raise its own priority, and holds no capability on any thread', async () => {
    const { open } = await hostile(`{
      pid: () => process.pid,
      renice: (argument) => { const [pid, nice] = argument.split(' ').map(Number); os.setPriority(pid, nice); return os.getPriority(pid); },
      'cap-eff': () => fs.readFileSync('/proc/self/status', 'utf8').match(/CapEff:\\s+(\\w+)/)[1],
    }`);
    const before = baseline();
    const ourNice = os.getPriority(process.pid);
    const ipa = await open();
    try {
      const { attempt, pid } = await opened(ipa);
      expect(await attempt('renice', `${process.pid} 19`)).toMatch(/^refused: EPERM: /);
      expect(await attempt('renice', `${process.ppid} 19`)).toMatch(/^refused: EPERM: /);
      expect(await attempt('renice', '0 -20')).toMatch(/^refused: EACCES: /);
      // Lowering its own priority is allowed.
      expect(await attempt('renice', '0 5')).toBe('done: 5');
      expect(os.getPriority(process.pid)).toBe(ourNice);
      // The permission model does not let it read /proc/self/status; from here, every thread:
      expect(await attempt('cap-eff')).toMatch(/^refused: ERR_ACCESS_DENIED|^done: 0+$/);
      for (const field of EMPTIED) {
        expect(new Set(perThread(pid, field)), field).toEqual(new Set(['0000000000000000']));
      }
      expect(new Set(perThread(pid, 'NoNewPrivs'))).toEqual(new Set(['1']));
      expect(fs.readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(/^Max nice priority\s+0\s+0\s*$/m);
      expect(fs.readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(/^Max realtime priority\s+0\s+0\s*$/m);
    } finally {
      await ipa.close();
    }
    expect(os.getPriority(process.pid)).toBe(ourNice);
    await expectUnharmed(before);
  });

  it('native code cannot change another process\'s scheduling, I/O priority or limits, have the kernel signal it, nor take capabilities back', async () => {
    const before = baseline();
    const ourNice = os.getPriority(process.pid);
    const ourLimits = fs.readFileSync('/proc/self/limits', 'utf8');
    const ourStatus = () => fs.readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:.*$/m)![0];
    const ourAffinity = ourStatus();
    const ourPolicy = fs.readFileSync('/proc/self/sched', 'utf8').match(/^policy\s+:\s+(\d+)/m)?.[1];
    const { ipa, call, pid } = await gadgetProbe();
    try {
      const zeroes = '$words:';
      expect(await call('setpriority', 0 /* PRIO_PROCESS */, process.pid, 19)).toBe('EPERM');
      expect(await call('setpriority', 1 /* PRIO_PGRP */, 0, 19)).toBe('EPERM');
      expect(await call('setpriority', 2 /* PRIO_USER */, 0, 19)).toBe('EPERM');
      expect(await call('setpriority', 0, 0, -20)).toBe('EACCES');
      expect(await call('sched_setscheduler', process.pid, 5 /* SCHED_IDLE */, zeroes)).toBe('EPERM');
      expect(await call('sched_setparam', process.pid, zeroes)).toBe('EPERM');
      expect(await call('sched_setattr', process.pid, zeroes, 0)).toBe('EPERM');
      expect(await call('sched_setaffinity', process.pid, 8, '$words:1')).toBe('EPERM');
      expect(await call('ioprio_set', 1 /* IOPRIO_WHO_PROCESS */, process.pid, (3 << 13) /* IDLE */)).toBe('EPERM');
      expect(await call('prlimit64', process.pid, 4 /* RLIMIT_CORE */, zeroes, 0)).toBe('EPERM');
      expect(await call('capset', '$words:0x20080522', zeroes)).toBe('EPERM');
      // Nor have the kernel signal it on its behalf: an fd's owner (F_SETOWN, FIOSETOWN) and
      // signal (F_SETSIG), then O_ASYNC; nor push input into a terminal it writes to (TIOCSTI).
      expect(await call('fcntl', 3, 8 /* F_SETOWN */, process.pid)).toBe('EPERM');
      expect(await call('fcntl', 3, 10 /* F_SETSIG */, 9)).toBe('EPERM');
      expect(await call('ioctl', 3, 0x8901 /* FIOSETOWN */, `$words:${process.pid}`)).toBe('EPERM');
      expect(await call('ioctl', 2, 0x5412 /* TIOCSTI */, 'x')).toBe('EPERM');
      // Its own scheduling it may change, within its limits: no real-time policy.
      expect(await call('sched_setscheduler', 0, 1 /* SCHED_FIFO */, '$words:1')).toBe('EPERM');
      for (const field of EMPTIED) {
        expect(new Set(perThread(pid, field)), field).toEqual(new Set(['0000000000000000']));
      }
    } finally {
      await ipa.close();
    }
    expect(os.getPriority(process.pid)).toBe(ourNice);
    expect(fs.readFileSync('/proc/self/limits', 'utf8')).toBe(ourLimits);
    expect(ourStatus()).toBe(ourAffinity);
    expect(fs.readFileSync('/proc/self/sched', 'utf8').match(/^policy\s+:\s+(\d+)/m)?.[1]).toBe(ourPolicy);
    await expectUnharmed(before);
  });
});

// -------------------------------------------------------------------------------------------
describe('3. memory the data limit does not count', () => {
  const LIMIT_MB = 256;
  const ASK = 512 * MiB;

  it('shared memory past the limit: memfd (the addon, SharedMemory), /dev/shm, growing a memfd it was handed', async () => {
    const { open } = await hostile(`{
      pid: () => process.pid,
      memfd: (bytes) => { const fd = raw.memfd('hoard', Number(bytes)); const b = raw.mmap(fd, 0, Number(bytes), true); new Uint8Array(b).fill(1); kept.push(b); return b.byteLength; },
      'shared-memory': (bytes) => { const m = SharedMemory.create('hoard', Number(bytes)); const b = m.map(); new Uint8Array(b).fill(1); kept.push(b); return b.byteLength; },
      'dev-shm': () => { const fd = fs.openSync('/dev/shm/ts-ipa-hoard', 'w+'); fs.closeSync(fd); fs.unlinkSync('/dev/shm/ts-ipa-hoard'); return 'opened'; },
      truncate: (bytes, fd) => { fs.ftruncateSync(fd.fd, Number(bytes)); return fs.fstatSync(fd.fd).size; },
      'write-past-end': (bytes, fd) => fs.writeSync(fd.fd, Buffer.alloc(4096, 1), 0, 4096, Number(bytes)),
    }`, { proxy: { sandbox: { memoryLimitMb: LIMIT_MB } } });
    const before = baseline();
    const handed = SharedMemory.create('handed', 4096);
    const ipa = await open();
    try {
      const { attempt, pid } = await opened(ipa);
      expect(await attempt('memfd', String(ASK))).toMatch(/^refused: EPERM: memfd_create: /);
      expect(await attempt('shared-memory', String(ASK))).toMatch(/^refused: EPERM: memfd_create: /);
      expect(await attempt('dev-shm')).toMatch(/^refused: ERR_ACCESS_DENIED: /);
      expect(await attempt('truncate', String(ASK), new SharedFD(handed.fd))).toMatch(/^refused: EACCES: /);
      expect(await attempt('write-past-end', String(ASK), new SharedFD(handed.fd))).toMatch(/^refused: EPERM: /);
      expect(fs.fstatSync(handed.fd).size).toBe(4096);
      expect(residentMb(pid)).toBeLessThan(LIMIT_MB);
    } finally {
      await ipa.close();
      handed.close();
    }
    await expectUnharmed(before);
  });

  it('a handler cannot turn libuv\'s io_uring on for the worker (the filter refuses io_uring): said before any worker starts', async () => {
    const { open } = await hostile('{}', { proxy: { sandbox: { env: { UV_USE_IO_URING: '1' } } } });
    const before = baseline();
    const children = liveChildren();
    await expect(open()).rejects.toThrow(new RangeError('sandbox.env cannot set UV_USE_IO_URING (1): the sandbox refuses io_uring'));
    expect(liveChildren()).toEqual(children);
    await expectUnharmed(before);
  });

  it('native code: MAP_SHARED anonymous memory, SysV and POSIX IPC, memfd_secret, io_uring, fallocate on a handed memfd', async () => {
    const before = baseline();
    const handed = SharedMemory.create('handed', 4096);
    const { ipa, attempt, call, pid } = await gadgetProbe({ sandbox: { memoryLimitMb: LIMIT_MB }, fd: new SharedFD(handed.fd) });
    try {
      const fill = async (...argument: unknown[]) => errnoName(Number((await attempt('map-and-fill', JSON.stringify(argument), new SharedFD(handed.fd))).slice(6)));
      const PROT_RW = 3;
      // MAP_SHARED | MAP_ANONYMOUS, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, and a private stack-like mapping
      expect(await fill(NR.mmap, ASK, PROT_RW, 0x01 | 0x20, false)).toBe('EPERM');
      expect(await fill(NR.mmap, ASK, PROT_RW, 0x03 | 0x20, false)).toBe('EPERM');
      expect(await fill(NR.mmap, ASK, PROT_RW, 0x02 | 0x20 | 0x0100 /* MAP_GROWSDOWN */, false)).toBe('EPERM');
      // A private mapping is data: the limit refuses it.
      expect(await fill(NR.mmap, ASK, PROT_RW, 0x02 | 0x20, false)).toBe('ENOMEM');
      expect(errnoName(Number((await attempt('shm-and-fill', JSON.stringify([NR.shmget, NR.shmat, NR.shmctl, ASK]))).slice(6)))).toBe('EPERM');
      expect(await call('msgget', 0, 0o1600)).toBe('EPERM');
      expect(await call('semget', 0, 1, 0o1600)).toBe('EPERM');
      expect(await call('mq_open', 'hoard', 0o100 /* O_CREAT */ | 2, 0o600, 0)).toBe('EPERM');
      expect(await call('memfd_create', 'hoard', 0)).toBe('EPERM');
      expect(await call('memfd_secret', 0)).toBe('EPERM');
      expect(await call('io_uring_setup', 8, 0)).toBe('EPERM');
      expect(await call('fallocate', '$fd', 0, 0, ASK)).toBe('EACCES');
      expect(await call('ftruncate', '$fd', ASK)).toBe('EACCES');
      expect(await call('process_madvise', 0, 0, 0, 0, 0)).toBe('EPERM');
      // No more seals on the handler's memfd (F_SEAL_WRITE would break its own use of it).
      expect(await call('fcntl', '$fd', 1033 /* F_ADD_SEALS */, 8 /* F_SEAL_WRITE */)).toBe('EPERM');
      expect(fs.fstatSync(handed.fd).size).toBe(4096);
      expect(residentMb(pid)).toBeLessThan(LIMIT_MB);
    } finally {
      await ipa.close();
      handed.close();
    }
    await expectUnharmed(before);
  });
});

// -------------------------------------------------------------------------------------------
describe('4. file metadata, with the kernel layer alone (a custom worker command)', () => {
  it('fchmod, fchown, futimes, utimes and the rest are refused on a file it holds open and by path; the file is unchanged', async () => {
    const victim = path.join(work.dir, 'victim');
    fs.writeFileSync(victim, 'metadata');
    fs.chmodSync(victim, 0o640);
    fs.utimesSync(victim, new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    const was = fs.statSync(victim);
    const { open } = await hostile(`{
      pid: () => process.pid,
      fchmod: (_, fd) => fs.fchmodSync(fd.fd, 0o4777),
      fchown: (_, fd) => fs.fchownSync(fd.fd, 65534, 65534),
      futimes: (_, fd) => fs.futimesSync(fd.fd, 0, 0),
      utimes: (file) => fs.utimesSync(file, 0, 0),
      lutimes: (file) => fs.lutimesSync(file, 0, 0),
      chmod: (file) => fs.chmodSync(file, 0o4777),
      chown: (file) => fs.chownSync(file, 65534, 65534),
      lchown: (file) => fs.lchownSync(file, 65534, 65534),
      'write-fd': (_, fd) => fs.writeSync(fd.fd, 'M'),
    }`, { proxy: { workerCommand: [process.execPath, HOST] } });
    const before = baseline();
    const held = fs.openSync(victim, 'r+');
    const ipa = await open();
    try {
      const { attempt } = await opened(ipa);
      const fd = new SharedFD(held);
      for (const action of ['fchmod', 'fchown', 'futimes']) expect(await attempt(action, '', fd), action).toMatch(/^refused: EACCES: /);
      for (const action of ['utimes', 'lutimes', 'chmod', 'chown', 'lchown']) expect(await attempt(action, victim), action).toMatch(/^refused: EACCES: /);
      const now = fs.statSync(victim);
      const metadata = (s: fs.Stats) => ({ mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtimeMs, atime: s.atimeMs });
      expect(metadata(now)).toEqual(metadata(was));
      // Its contents stay the IPA's to write through the fd it was handed.
      expect(await attempt('write-fd', '', fd)).toBe('done: 1');
    } finally {
      await ipa.close();
      fs.closeSync(held);
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe('Metadata');
    await expectUnharmed(before);
  });

  it('native code: fchmodat2, extended attributes, file flags and attributes, leases, file handles, quotas', async () => {
    const victim = path.join(work.dir, 'victim-native');
    fs.writeFileSync(victim, 'x');
    const was = fs.statSync(victim);
    const before = baseline();
    const held = fs.openSync(victim, 'r+');
    const { ipa, call } = await gadgetProbe({ fd: new SharedFD(held) });
    try {
      expect(await call('fchmodat2', -100, victim, 0o4777, 0)).toBe('EACCES');
      expect(await call('setxattr', victim, 'user.ts-ipa', 'x', 1, 0)).toBe('EACCES');
      expect(await call('lsetxattr', victim, 'user.ts-ipa', 'x', 1, 0)).toBe('EACCES');
      expect(await call('fsetxattr', '$fd', 'user.ts-ipa', 'x', 1, 0)).toBe('EACCES');
      expect(await call('removexattr', victim, 'user.ts-ipa')).toBe('EACCES');
      expect(await call('fremovexattr', '$fd', 'user.ts-ipa')).toBe('EACCES');
      expect(await call('setxattrat', -100, victim, 0, 'user.ts-ipa', 0, 0)).toBe('EACCES');
      expect(await call('removexattrat', -100, victim, 0, 'user.ts-ipa')).toBe('EACCES');
      expect(await call('file_setattr', -100, victim, 0, 0, 0)).toBe('EACCES');
      expect(await call('utimensat', -100, victim, 0, 0)).toBe('EACCES');
      // A lease: the handler's next open for writing would wait for it.
      expect(await call('fcntl', '$fd', 1024 /* F_SETLEASE */, 1 /* F_WRLCK */)).toBe('EPERM');
      // File flags through an fd opened for reading (FS_IOC_SETFLAGS, FS_NOATIME_FL)
      expect(await call('ioctl', '$fd', 0x40086602, '$words:128')).toBe('EACCES');
      expect(await call('name_to_handle_at', -100, victim, 0, 0, 0)).toBe('EPERM');
      expect(await call('open_by_handle_at', -100, 0, 0)).toBe('EPERM');
      expect(await call('quotactl', 0, 0, 0, 0)).toBe('EPERM');
    } finally {
      await ipa.close();
      fs.closeSync(held);
    }
    const now = fs.statSync(victim);
    expect({ mode: now.mode, mtime: now.mtimeMs }).toEqual({ mode: was.mode, mtime: was.mtimeMs });
    await expectUnharmed(before);
  });
});
