#!/usr/bin/env node
/** The ts-ipa command line. */
import fs from 'node:fs';
import path from 'node:path';
import { yieldHelperThreads } from '../runtime/helper-threads';
import { describeOptions, HELP, parseCommandArgs, type OptionSpec, type OptionSpecs, type OptionValues } from './args';
import { capture, parseCaptureOptions, summaryTable } from './capture';
import { describeFailure, ExitCode, UsageError } from './errors';
import { describeModel, inspect } from './inspect';
import { listCameras } from './list';
import { keygen, listModules, sign, verify } from './modules';

interface Command {
  /** What it does, one line for the list of commands. */
  summary: string;
  /** Its arguments, after the command's name: `<module dir> --key <private key>`. */
  synopsis: string;
  positionals: number;
  options: OptionSpecs;
  run(values: OptionValues, positionals: string[]): Promise<number> | number;
}

const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
const json: OptionSpec = { type: 'boolean', help: 'print JSON' };
const trust: OptionSpec = { type: 'string', value: 'public key', multiple: true, help: "a public key PEM to trust besides the project's" };

const COMMANDS: Record<string, Command> = {
  capture: {
    summary: 'capture frames to PNG files (the first camera found, or the simulated one)',
    synopsis: '[options]',
    positionals: 0,
    options: {
      camera: { type: 'string', value: 'path', help: 'a media device (/dev/mediaN), "simulated" or "simulated:rkisp1"' },
      frames: { type: 'string', value: 'n', help: 'how many frames, 1 to 1000000 (30)' },
      size: { type: 'string', value: 'WxH', help: 'frame size (640x480)' },
      format: { type: 'string', value: 'name', help: "one the camera gives: vimc BGR888 or RGB888, rkisp1 NV12 or YUYV (the camera's first)" },
      isolation: { type: 'string', value: 'mode', help: 'where the IPA runs: process, thread or direct (process)' },
      out: { type: 'string', value: 'dir', help: 'where the PNG files go (./frames); one holding frame-*.png files is refused' },
      overwrite: { type: 'boolean', help: 'remove the frame-*.png files an earlier capture left in --out first' },
    },
    async run(values) {
      // A camera application: frames have deadlines, V8's helper threads do not.
      yieldHelperThreads();
      const summary = await capture(parseCaptureOptions(values), (line) => process.stdout.write(`${line}\n`));
      process.stdout.write(`${summaryTable(summary)}\n`);
      return ExitCode.Ok;
    },
  },
  list: {
    summary: 'the cameras found, with their entities and formats',
    synopsis: '',
    positionals: 0,
    options: {},
    run() {
      print([listCameras()]);
      return ExitCode.Ok;
    },
  },
  inspect: {
    summary: 'print the contract model of the IPA interfaces a compiled contract module exports',
    synopsis: '<compiled contract module> [--json]',
    positionals: 1,
    options: { json },
    run: (values, [target]) => inspectCommand(target, values.json === true),
  },
  modules: {
    summary: 'the IPA modules found (TS_IPA_MODULE_PATH, then the built-in ones), their signature and where each would run',
    synopsis: '[--trust <public key>...] [--json]',
    positionals: 0,
    options: { trust, json },
    run(values) {
      const warnings: string[] = [];
      const table = listModules(strings(values.trust), warnings, values.json === true);
      for (const warning of warnings) process.stderr.write(`ts-ipa modules: ${warning}\n`);
      print([table]);
      return ExitCode.Ok;
    },
  },
  keygen: {
    summary: 'make an Ed25519 key pair for signing IPA modules',
    synopsis: '[--out <dir>] [--force]',
    positionals: 0,
    options: {
      out: { type: 'string', value: 'dir', help: 'where the key pair goes (./ipa-keys)' },
      force: { type: 'boolean', help: 'replace a key pair already there' },
    },
    run(values) {
      print(keygen(String(values.out ?? 'ipa-keys'), values.force === true));
      return ExitCode.Ok;
    },
  },
  sign: {
    summary: 'sign a module: writes ipa-module.sig over its manifest and every file it names',
    synopsis: '<module dir> --key <private key>',
    positionals: 1,
    options: { key: { type: 'string', value: 'private key', help: 'the private key PEM to sign with (from ts-ipa keygen)' } },
    run(values, [moduleDir]) {
      print(sign(moduleDir, values.key === undefined ? undefined : String(values.key)));
      return ExitCode.Ok;
    },
  },
  verify: {
    summary: "check a module's signature against the project's key and the ones given",
    synopsis: '<module dir> [--trust <public key>...]',
    positionals: 1,
    options: { trust },
    run(values, [moduleDir]) {
      const { lines, trusted } = verify(moduleDir, strings(values.trust));
      print(lines);
      return trusted ? ExitCode.Ok : ExitCode.Untrusted;
    },
  },
};

const EXIT_CODES = `exit codes: 0 done, 1 failed, 2 bad usage, 3 no such device, 4 device busy, 5 unsupported format or configuration,
            6 module not trusted (verify), 7 the IPA crashed or hung (capture)`;

function usage(): string {
  const commands = Object.entries(COMMANDS).map(([name, c]) => `  ${`${name} ${c.synopsis}`.trimEnd()}\n      ${c.summary}`);
  return `usage: ts-ipa <command> [options]\n       ts-ipa --version\n\ncommands:\n${commands.join('\n')}\n\n`
    + `ts-ipa <command> --help shows a command's options.\n\n${EXIT_CODES}\n`;
}

function commandUsage(name: string, command: Command): string {
  const options = describeOptions({ ...command.options, help: HELP });
  return `usage: ts-ipa ${`${name} ${command.synopsis}`.trimEnd()}\n${command.summary}\n\noptions:\n${options}\n\n${EXIT_CODES}\n`;
}

/** The command's name comes first, so that each command's arguments are parsed against its own options. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(usage());
    return ExitCode.Usage;
  }
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return ExitCode.Ok;
  }
  if (name === '--version') {
    process.stdout.write(`ts-ipa ${packageVersion()}\n`);
    return ExitCode.Ok;
  }
  if (name.startsWith('-')) throw new UsageError(`unknown option ${name} (a command's options go after it: ts-ipa <command> --help)`);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command '${name}' (ts-ipa --help lists the commands)`);
  const { values, positionals } = parseCommandArgs(name, args, { ...command.options, help: HELP }, command.positionals);
  if (values.help) {
    process.stdout.write(commandUsage(name, command));
    return ExitCode.Ok;
  }
  return command.run(values, positionals);
}

function strings(value: OptionValues[string]): string[] {
  return Array.isArray(value) ? value : [];
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

const argv = process.argv.slice(2);
const commandName = Object.hasOwn(COMMANDS, argv[0] ?? '') ? ` ${argv[0]}` : '';
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
