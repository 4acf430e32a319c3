/**
 * An IPA that tries, on request, each thing an isolated IPA must not do, and reports what the
 * sandbox made of it. Every attempt is made the ordinary way a module would make it.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { defineIPA, type SharedFD } from '../../runtime';
import { IPASandboxProbeInterface } from './sandbox-probe-contract';

const attempts: Record<string, (argument: string, fd: SharedFD) => unknown> = {
  read: (file) => fs.readFileSync(file, 'utf8').length,
  write: (file) => fs.writeFileSync(file, 'written by a sandboxed IPA'),
  remove: (file) => fs.unlinkSync(file),
  spawn: (program) => childProcess.execFileSync(program, { stdio: 'ignore' }),
  worker: () => new Worker('0', { eval: true }),
  kill: (pid) => process.kill(Number(pid), 'SIGTERM'),
  allocate: (mib) => Buffer.alloc(Number(mib) * 1024 * 1024).length,
  addon: (file) => process.dlopen({ exports: {} }, file),
  fds: () => fs.readdirSync('/proc/self/fd').map((fd) => `${fd}:${safeReadlink(`/proc/self/fd/${fd}`)}`).join(' '),
  'write-passed-fd': (text, fd) => fs.writeSync(fd.fd, text),
  env: () => Object.keys(process.env).sort().join(' '),
  // ts-ipa's libipa, loaded as an IPA built on it loads it: the median of counts 1, 2, 1.
  libipa: () => {
    const { Histogram } = require('../../ipa/histogram') as typeof import('../../ipa/histogram');
    return new Histogram([1, 2, 1]).quantile(0.5);
  },
};

function safeReadlink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch (error) {
    return `?${(error as NodeJS.ErrnoException).code}`;
  }
}

const describe = (error: unknown) => `refused: ${(error as NodeJS.ErrnoException).code ?? (error as Error).name}: ${(error as Error).message.split('\n')[0]}`;

export default defineIPA(IPASandboxProbeInterface, () => ({
  init() {},
  start() {},
  stop() {},
  attempt(action: string, argument: string, fd: SharedFD): string | Promise<string> {
    if (action === 'connect') {
      // Network errors arrive asynchronously.
      return new Promise((resolve) => {
        const socket = net.connect(Number(argument), '127.0.0.1');
        socket.once('connect', () => { socket.destroy(); resolve('done: connected'); });
        socket.once('error', (error) => resolve(describe(error)));
      });
    }
    const attempt = attempts[action];
    if (!attempt) return `refused: EINVAL: no such action ${action}`;
    try {
      return `done: ${String(attempt(argument, fd))}`;
    } catch (error) {
      return describe(error);
    }
  },
}));
