import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveChildren, openFds, root, runtime } from './support';
import { IPASandboxProbeInterface } from '../dist/test/contracts/sandbox-probe-contract.js';

const { createProxy, SharedFD, SharedMemory } = runtime;
const probeModule = path.join(root, 'dist/test/contracts/sandbox-probe-ipa.js');
type Probe = runtime.IPAProxy<IPASandboxProbeInterface>;

let work: string;
let fdsAtStart: number;
const proxies: Probe[] = [];
const memories: runtime.SharedMemory[] = [];
beforeAll(() => {
  fdsAtStart = openFds();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-sandbox-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  for (const memory of memories.splice(0)) memory.close();
});

async function probe(options: Partial<runtime.ProxyOptions<IPASandboxProbeInterface>> = {}) {
  const ipa = await createProxy(IPASandboxProbeInterface, { module: probeModule, isolation: 'process', ...options });
  proxies.push(ipa);
  const memory = SharedMemory.create('probe', 0);
  memories.push(memory);
  const attempt = async (action: string, argument = '') => {
    try {
      return await ipa.attempt(action, argument, new SharedFD(memory.fd));
    } finally {
      if (action === 'write-passed-fd') expect(fs.readFileSync(`/proc/self/fd/${memory.fd}`, 'utf8')).toBe(argument);
    }
  };
  return { ipa, attempt, worker: (ipa as unknown as { channel: { worker: { pid: number } } }).channel.worker };
}

describe('the process-mode sandbox refuses, and the IPA is told', () => {
  it('reading outside its module, its contract and the runtime; what the pipeline handler allows is readable', async () => {
    const tuning = path.join(work, 'tuning.json');
    fs.writeFileSync(tuning, '{"gain": 2}');
    const { attempt } = await probe({ sandbox: { allowRead: [tuning] } });
    expect(await attempt('read', '/etc/hostname')).toMatch(/^refused: ERR_ACCESS_DENIED/);
    // A signing key of the handler's own, beside it: the build keeps none, a user's keygen might.
    const key = path.join(work, 'ipa-signing-key.pem');
    fs.writeFileSync(key, runtime.generateKeyPair().privateKey, { mode: 0o600 });
    expect(await attempt('read', key)).toMatch(/^refused: ERR_ACCESS_DENIED/);
    expect(await attempt('read', tuning)).toBe('done: 11');
    expect(await attempt('read', probeModule)).toMatch(/^done: \d+$/);
  });

  it("loads ts-ipa's libipa, which IPAs build on", async () => {
    const { attempt } = await probe();
    expect(await attempt('libipa')).toBe('done: 1.5');
  });

  it('writing, removing and creating files; the fd it was handed stays writable', async () => {
    const { attempt } = await probe();
    const target = path.join(work, 'written');
    const victim = path.join(work, 'victim');
    fs.writeFileSync(victim, 'still here');
    expect(await attempt('write', target)).toMatch(/^refused: ERR_ACCESS_DENIED/);
    expect(await attempt('remove', victim)).toMatch(/^refused: ERR_ACCESS_DENIED/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readFileSync(victim, 'utf8')).toBe('still here');
    expect(await attempt('write-passed-fd', 'statistics')).toBe('done: 10');
  });

  it('starting programs and worker threads', async () => {
    const { attempt } = await probe();
    expect(await attempt('spawn', '/bin/true')).toMatch(/^refused: ERR_ACCESS_DENIED/);
    expect(await attempt('worker')).toMatch(/^refused: ERR_ACCESS_DENIED/);
  });

  it('writing a core file: a crashing worker leaves no copy of its memory behind (RLIMIT_CORE 0, hard too)', async () => {
    const { worker } = await probe();
    const limits = fs.readFileSync(`/proc/${worker.pid}/limits`, 'utf8');
    expect(limits).toMatch(/^Max core file size\s+0\s+0\s+bytes\s*$/m);
  });

  it('signalling another process: the pipeline handler itself, here', async () => {
    const { attempt } = await probe();
    expect(await attempt('kill', String(process.pid))).toBe('refused: EPERM: kill EPERM');
  });

  it('the network: a TCP server listening on this machine never sees a connection', async () => {
    let connections = 0;
    const server = net.createServer(() => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { attempt } = await probe();
      const port = (server.address() as net.AddressInfo).port;
      // Node 25 and later refuse it in their permission model first (--allow-net); before, the kernel's filter does.
      expect(await attempt('connect', String(port))).toMatch(new RegExp(`^refused: (EACCES: connect EACCES 127\\.0\\.0\\.1:${port} - Local|ERR_ACCESS_DENIED: connect ERR_ACCESS_DENIED Access to this API has been restricted)`));
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('memory past its limit', async () => {
    const { attempt } = await probe({ sandbox: { memoryLimitMb: 256 } });
    expect(await attempt('allocate', '16')).toBe(`done: ${16 * 1024 * 1024}`);
    expect(await attempt('allocate', '512')).toBe('refused: RangeError: Array buffer allocation failed');
    expect(await attempt('allocate', '16')).toBe(`done: ${16 * 1024 * 1024}`);
  });

  it('native code of its own, even from a directory it may read', async () => {
    const addon = path.join(work, 'addon', 'evil.node');
    fs.mkdirSync(path.dirname(addon));
    fs.copyFileSync(path.join(root, 'native/build/Release/ts_ipa_native.node'), addon);
    const { attempt } = await probe({ sandbox: { allowRead: [path.dirname(addon)] } });
    expect(await attempt('addon', addon)).toBe(`refused: ERR_DLOPEN_FAILED: ${addon}: failed to map segment from shared object`);
  });

  it('without Node\'s permission flags (a custom worker command), the kernel still refuses writes, programs and sockets', async () => {
    const { attempt } = await probe({ workerCommand: [process.execPath, path.join(root, 'dist/runtime/worker/host.js')] });
    // Reads: Landlock where the kernel has it, else Node's permission model only.
    expect(await attempt('read', '/etc/hostname')).toMatch(runtime.sandboxSupport().landlockAbi > 0 ? /^refused: EACCES: EACCES: permission denied, open/ : /^done: \d+$/);
    expect(await attempt('write', path.join(work, 'kernel-write'))).toMatch(/^refused: EACCES: EACCES: permission denied, open/);
    expect(await attempt('remove', path.join(work, 'victim'))).toMatch(/^refused: EACCES: EACCES: permission denied, unlink/);
    expect(await attempt('spawn', '/bin/true')).toBe('refused: EPERM: spawnSync /bin/true EPERM');
    expect(await attempt('kill', String(process.pid))).toBe('refused: EPERM: kill EPERM');
  });

  it("the pipeline handler's environment, but for what it passes", async () => {
    process.env.TS_IPA_TEST_SECRET = 'a token';
    try {
      const { attempt } = await probe({ sandbox: { env: { CAMERA_TUNING: 'night' } } });
      expect(await attempt('env')).toBe('done: CAMERA_TUNING TS_IPA_PROXY TS_IPA_SANDBOX');
    } finally {
      delete process.env.TS_IPA_TEST_SECRET;
    }
  });

  it('a memory limit too small to start Node is refused before any worker starts', async () => {
    const before = liveChildren();
    await expect(probe({ sandbox: { memoryLimitMb: 16 } })).rejects.toThrow(new RangeError('sandbox.memoryLimitMb must be at least 64, not 16'));
    expect(liveChildren()).toEqual(before);
  });

  it('sandbox: false runs the worker with the rights of the pipeline handler', async () => {
    const { attempt } = await probe({ sandbox: false });
    expect(await attempt('read', '/etc/hostname')).toMatch(/^done: \d+$/);
  });
});

describe('the fds a sandboxed worker holds', () => {
  it('only its stdio, its socket and its own close-on-exec fds: nothing inherited by accident', async () => {
    // A pipeline handler started with an extra fd (4) that is not close-on-exec: a worker it
    // spawns would inherit it.
    const parent = spawn(process.execPath, [path.join(root, 'test/fixtures/proxy-parent.js')], { stdio: ['ignore', 'pipe', 'inherit', 'pipe', 'pipe'] });
    try {
      const workerPid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      const leaked = fs.readlinkSync(`/proc/${parent.pid}/fd/4`);
      const held = fs.readdirSync(`/proc/${workerPid}/fd`).map((fd) => [Number(fd), fs.readlinkSync(`/proc/${workerPid}/fd/${fd}`)] as const);
      expect(held.map(([, link]) => link)).not.toContain(leaked);
      // Past stdio (which may be sockets too), the one socket is the IPC one.
      expect(held.filter(([fd, link]) => fd > 2 && link.startsWith('socket:')).map(([fd]) => fd)).toEqual([3]);
      const flags = (fd: number) => fs.readFileSync(`/proc/${workerPid}/fdinfo/${fd}`, 'utf8').match(/flags:\s+(\d+)/)![1]!;
      // Beyond 0-3, every fd is the worker's own (O_CLOEXEC, octal 02000000).
      for (const [fd] of held.filter(([fd]) => fd > 3)) expect(parseInt(flags(fd), 8) & 0o2000000).not.toBe(0);
      const status = fs.readFileSync(`/proc/${workerPid}/status`, 'utf8');
      expect(status).toMatch(/NoNewPrivs:\s+1/);
      expect(status).toMatch(/Seccomp:\s+2/);
    } finally {
      const closed = new Promise((resolve) => parent.once('close', resolve));
      parent.kill('SIGKILL');
      await closed; // its pipes with it
    }
  });
});

describe('afterwards', () => {
  it('no worker process and no fd is left behind', async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    expect(liveChildren()).toEqual([]);
    expect(openFds()).toBe(fdsAtStart);
  });
});
