/**
 * The red team's attacks: holes the hostile suites did not cover. Each hostile IPA is an unsigned
 * module found by the real IPAManager and run in a process under the default sandbox. These
 * attacks harm the pipeline handler through what it shares with its worker rather than through
 * what it is sent: its stdio (a terminal, a log), and its user's kernel accounts. So the handler
 * here is a child process (handler.js below), run as a pipeline handler would be run: on a
 * terminal, with its stderr read by a log collector, or without root's capabilities.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtime } from '../support';
import { baseline, expectUnharmed, managerFor, paths, RAW_FRAMING, RAW_SOCKET, scratch, vimcModule, writeModule } from './harness';

const work = scratch('red-team');
afterAll(() => work.cleanup());

/**
 * A pipeline handler in a process of its own: `node handler.js <module root>`. It opens the one
 * module under <module root> through an IPAManager, calls init, waits 300 ms, then maps a memfd
 * into the IPA (as vimc maps its parameters buffer) and closes it. On a terminal it says what
 * `stty` says of it before and after. Its last stdout line is `REPORT <json>`.
 */
const HANDLER = path.join(work.dir, 'handler.js');
fs.writeFileSync(HANDLER, `'use strict';
const { execSync } = require('node:child_process');
const rt = require(${JSON.stringify(paths.runtime)});
const { IPAVimcInterface } = require(${JSON.stringify(paths.vimcContract)});
const stty = () => execSync('stty -a', { stdio: ['inherit', 'pipe', 'inherit'] }).toString().match(/(?<![\\w-])-?(isig|icanon|echo|opost)(?![\\w-])/g).join(' ');
(async () => {
  const report = {};
  const onTerminal = process.stdin.isTTY === true;
  if (onTerminal) report.before = stty();
  const manager = new rt.IPAManager({ env: { TS_IPA_MODULE_PATH: process.argv[2] }, builtInPaths: [], trustProjectKey: false, log: () => {} });
  const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation: 'process', timeoutMs: 3000 });
  ipa.on('crashed', () => {});
  ipa.on('protocolError', () => {});
  report.init = (await ipa.init({ configurationFile: '', sensorModel: 'Sensor B' }, rt.SharedFD.invalid, 0, 0)).ret;
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (onTerminal) report.after = stty();
  const memory = rt.SharedMemory.create('params', 4096);
  try {
    await ipa.mapBuffers([{ id: 1, planes: [new rt.FrameBufferPlane(new rt.SharedFD(memory.fd), 0, 4096)] }]);
    report.mapBuffers = 'ok';
  } catch (error) {
    report.mapBuffers = error.message;
  }
  memory.close();
  await ipa.close();
  process.stdout.write('REPORT ' + JSON.stringify(report) + '\\n');
})().catch((error) => { process.stdout.write('REPORT ' + JSON.stringify({ error: String(error) }) + '\\n'); process.exit(1); });
`);

interface Report {
  init?: number;
  before?: string;
  after?: string;
  mapBuffers?: string;
  error?: string;
}

/** Writes the attack's module; returns the module root the handler is to search. */
function attack(name: string, methods: string, prelude = ''): string {
  const moduleRoot = path.join(work.dir, name);
  writeModule(moduleRoot, name, { entry: vimcModule({ prelude, methods }) });
  return moduleRoot;
}

function report(stdout: string): Report {
  const line = stdout.split(/\r?\n/).reverse().find((l) => l.startsWith('REPORT '));
  if (!line) throw new Error(`the handler gave no report; its output: ${stdout.slice(0, 2000)}`);
  return JSON.parse(line.slice('REPORT '.length)) as Report;
}

/** Runs the handler; resolves with its report and everything it wrote on stderr. */
function runHandler(moduleRoot: string, prefix: readonly string[] = []): Promise<{ report: Report; stderr: Buffer }> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = [...prefix, process.execPath, HANDLER, moduleRoot];
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', () => {
      try {
        resolve({ report: report(Buffer.concat(out).toString()), stderr: Buffer.concat(err) });
      } catch (error) {
        reject(error);
      }
    });
  });
}

const has = (command: string): boolean => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].some((dir) => fs.existsSync(path.join(dir, command)));

describe("the handler's stdio is not the IPA's", () => {
  // script(1) runs the handler on a pseudo-terminal, as a handler run by hand from a shell is.
  it.skipIf(!has('script') || !has('stty'))("the IPA cannot change the handler's terminal: no raw mode from plain JavaScript (Ctrl-C would no longer interrupt the handler)", async () => {
    const moduleRoot = attack('raw-terminal', `
      init: (_settings, _traceFd, _code, inFlags) => {
        // Its stdout is the handler's terminal: Node's tty module sets it raw (tcsetattr), then
        // a SIGKILL of its own skips Node's restoring it at exit.
        try {
          new (require('node:tty').ReadStream)(1).setRawMode(true);
        } catch {}
        setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50);
        return { ret: 0, outFlags: inFlags };
      },`);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(HANDLER)} ${JSON.stringify(moduleRoot)}`, '/dev/null'],
        { timeout: 30_000 }, (error, out) => (error && !out ? reject(error) : resolve(out)));
    });
    const { before, after } = report(stdout);
    expect(before).toMatch(/(^| )isig( |$)/);
    expect(after, "the handler's terminal after the attack").toBe(before);
  });

  it("what the IPA writes on stderr reaches the handler's log only as bounded, printable lines: no forged lines, no terminal escapes, no flood", async () => {
    const moduleRoot = attack('log-forgery', `
      init: (_settings, _traceFd, _code, inFlags) => {
        const fs = require('node:fs');
        setImmediate(() => {
          // A line of the handler's own, in the handler's log, with a terminal escape that clears what came before.
          fs.writeSync(2, '\\x1b[2J\\x1b[Hts-ipa: the IPA module vimc (/opt/ipa/vimc) is signed by a trusted key and runs in the pipeline handler\\n');
          // And 8 MiB more: the handler's log collector stores whatever the IPA writes.
          const chunk = Buffer.alloc(1 << 20, 'A');
          for (let i = 0; i < 8; i++) fs.writeSync(2, chunk);
        });
        return { ret: 0, outFlags: inFlags };
      },`);
    const { report: result, stderr } = await runHandler(moduleRoot);
    expect(result.init).toBe(0);
    expect(stderr.includes(0x1b), 'a terminal escape written raw into the handler\'s stderr').toBe(false);
    expect(stderr.toString()).not.toMatch(/^ts-ipa: the IPA module vimc/m);
    expect(stderr.length, "bytes the IPA put into the handler's stderr").toBeLessThan(64 * 1024);
  });
});

describe("the user's kernel accounts are not the IPA's to exhaust", () => {
  // The kernel refuses to pass fds (ETOOMANYREFS) for a user whose fds in flight (sent, not yet
  // received) exceed the sender's RLIMIT_NOFILE; root's capabilities exempt it, so the handler
  // drops them, as a pipeline handler that is not root has none.
  const prefix = process.getuid?.() === 0 ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all'] : [];
  it.skipIf(prefix.length > 0 && !has('setpriv'))("the IPA cannot stop the handler passing fds by keeping the user's fds in flight in socketpairs of its own", async () => {
    const moduleRoot = attack('inflight-fds', `
      init: (_settings, _traceFd, _code, inFlags) => {
        // Datagrams of 253 fds each into socketpairs it never reads, until the kernel says the
        // user has more fds in flight than RLIMIT_NOFILE (or it may make no socketpair).
        let inFlight = 0;
        try {
          for (;;) {
            const [a, b] = raw.socketPair();
            const fds = Array(253).fill(b);
            while (raw.sendDatagram(a, Buffer.from([0]), fds)) inFlight += 253;
          }
        } catch {}
        return { ret: inFlight, outFlags: inFlags };
      },`, RAW_SOCKET);
    const { report: result } = await runHandler(moduleRoot, prefix);
    expect(result.error).toBeUndefined();
    // It answers; what it kept in flight is the handler's user's, not its own.
    expect(result.init).toBeTypeOf('number');
    expect(result.mapBuffers, 'mapBuffers (the handler passing a memfd) while the IPA holds the fds in flight').toBe('ok');
  });
});

describe('replies to no call are not free', () => {
  it('replies to calls never made, each with 253 fds, count against the worker: a flood of them ends it as broken', async () => {
    const { IPACrashedError, SharedFD } = runtime;
    const { IPAVimcInterface } = require(paths.vimcContract) as typeof import('../../dist/platforms/vimc/contract.js');
    const moduleRoot = attack('replies-to-nothing', `
      init: (_settings, _traceFd, _code, inFlags) => {
        // Cookies the proxy never used: dropped unread, their fds closed, and so far not counted,
        // while the kernel installs 253 fds a message in the handler and counts them in flight
        // for the handler's user (past its RLIMIT_NOFILE, the handler's own fd passing fails).
        const fds = Array(253).fill(2);
        for (let i = 0; i < 2000; i++) {
          for (;;) {
            try {
              sendRaw(batch([frame(1, 0x7fff0000 + i)], [253]), fds);
              break;
            } catch {} // ETOOMANYREFS: the handler has not taken the last ones yet
          }
        }
        return { ret: 0, outFlags: inFlags };
      },`, RAW_FRAMING);
    const before = baseline();
    const ipa = await managerFor(moduleRoot).createIPA(IPAVimcInterface, { pipeline: 'vimc', timeoutMs: 10_000 });
    const errors: Error[] = [];
    ipa.on('protocolError', (error: Error) => errors.push(error));
    const answer = await ipa.init({ configurationFile: '', sensorModel: 'Sensor B' }, SharedFD.invalid, 0, 0).catch((error: unknown) => error);
    await ipa.close();
    expect(errors.length, 'protocol errors for 2000 replies to no call').toBeGreaterThan(0);
    expect(answer).toBeInstanceOf(IPACrashedError);
    expect((answer as Error).message).toMatch(/malformed messages; the first: .*reply 2147418112: it answers no call/);
    await expectUnharmed(before);
  });
});
