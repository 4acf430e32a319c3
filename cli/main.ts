#!/usr/bin/env node
/** The ts-ipa command line. */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { yieldHelperThreads } from '../runtime/helper-threads';
import { capture, parseCaptureOptions, summaryTable } from './capture';
import { describeFailure, ExitCode, UsageError } from './errors';
import { describeModel, inspect } from './inspect';
import { listCameras } from './list';
import { keygen, listModules, sign, verify } from './modules';

const usage = `usage: ts-ipa <command> [options]
       ts-ipa --version

commands:
  capture      capture frames to PNG files (the first camera found, or the simulated one)
      --camera <path>        a media device (/dev/mediaN) or "simulated"
      --frames <n>           how many frames (30)
      --size <WxH>           frame size (640x480)
      --format <name>        BGR888 or RGB888 (BGR888)
      --isolation <mode>     where the IPA runs: process, thread or direct (process)
      --out <dir>            where the PNG files go (./frames)
  list         the cameras found, with their entities and formats
  inspect <compiled contract module> [--json]
               print the contract model of the IPA interfaces it exports
  modules [--trust <public key>...] [--json]
               the IPA modules found (TS_IPA_MODULE_PATH, then the built-in ones), their
               signature and where each would run
  keygen [--out <dir>] [--force]
               make an Ed25519 key pair for signing IPA modules (./ipa-keys)
  sign <module dir> --key <private key>
               sign a module: writes ipa-module.sig over its manifest and every file it names
  verify <module dir> [--trust <public key>...]
               check a module's signature against the project's key and the ones given

exit codes: 0 done, 1 failed, 2 bad usage, 3 no such device, 4 device busy, 5 unsupported format or configuration,
            6 module not trusted (verify), 7 the IPA crashed or hung (capture)
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
      camera: { type: 'string' }, frames: { type: 'string' }, size: { type: 'string' }, format: { type: 'string' },
      isolation: { type: 'string' }, out: { type: 'string' },
      key: { type: 'string' }, trust: { type: 'string', multiple: true }, force: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`ts-ipa ${packageVersion()}\n`);
    return ExitCode.Ok;
  }
  if (values.help || !command) {
    process.stdout.write(usage);
    return command || values.help ? ExitCode.Ok : ExitCode.Usage;
  }
  if (command === 'capture') {
    // A camera application: frames have deadlines, V8's helper threads do not.
    yieldHelperThreads();
    const summary = await capture(parseCaptureOptions(values), (line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`${summaryTable(summary)}\n`);
    return ExitCode.Ok;
  }
  if (command === 'list') {
    process.stdout.write(`${listCameras()}\n`);
    return ExitCode.Ok;
  }
  if (command === 'inspect') return inspectCommand(rest[0], values.json === true);
  const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
  if (command === 'keygen') {
    print(keygen(String(values.out ?? 'ipa-keys'), values.force === true));
    return ExitCode.Ok;
  }
  if (command === 'sign') {
    print(sign(rest[0], values.key));
    return ExitCode.Ok;
  }
  if (command === 'verify') {
    const { lines, trusted } = verify(rest[0], values.trust ?? []);
    print(lines);
    return trusted ? ExitCode.Ok : ExitCode.Untrusted;
  }
  if (command === 'modules') {
    const warnings: string[] = [];
    const table = listModules(values.trust ?? [], warnings, values.json === true);
    for (const warning of warnings) process.stderr.write(`ts-ipa modules: ${warning}\n`);
    print([table]);
    return ExitCode.Ok;
  }
  throw new UsageError(`unknown command '${command}'\n${usage}`);
}

/** The version in ts-ipa's own package.json (dist/cli/main.js is two levels below it). */
function packageVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function inspectCommand(target: string | undefined, json: boolean): number {
  if (!target) throw new UsageError('name a compiled contract module, e.g. dist/platforms/vimc/contract.js');
  let models;
  try {
    models = inspect(target);
  } catch (error) {
    throw new Error(`cannot load ${target}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (models.length === 0) {
    throw new Error(`${path.relative(process.cwd(), path.resolve(target))} exports no IPA interface with a generated contract (was it built with the ts-ipa transformer?)`);
  }
  process.stdout.write(json ? `${JSON.stringify(models, null, 2)}\n` : `${models.map(describeModel).join('\n\n')}\n`);
  return ExitCode.Ok;
}

const COMMANDS = ['capture', 'list', 'inspect', 'modules', 'keygen', 'sign', 'verify'];
const argv = process.argv.slice(2);
const commandName = COMMANDS.includes(argv[0] ?? '') ? ` ${argv[0]}` : '';
let settled = false;
main(argv).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    const { line, code } = describeFailure(error);
    process.stderr.write(`ts-ipa${commandName}: ${line}\n`);
    process.exitCode = code;
  },
);
// Node exits 0 when nothing is left to wait for, even with the command unfinished (a capture
// waiting for a frame no device will make): that is a failure, not success.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.stderr.write(`ts-ipa${commandName}: stopped with nothing left to wait for, the command unfinished (a bug in ts-ipa)\n`);
  process.exitCode = ExitCode.Failure;
});
