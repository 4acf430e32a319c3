#!/usr/bin/env node
/** The ts-ipa command line. */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { describeModel, inspect } from './inspect';

const usage = `usage: ts-ipa <command>

commands:
  inspect <compiled contract module> [--json]   print the contract model of the IPA interfaces it exports
`;

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(usage);
    return command || values.help ? 0 : 2;
  }
  if (command === 'inspect') {
    const target = rest[0];
    if (!target) {
      process.stderr.write('ts-ipa inspect: name a compiled contract module, e.g. dist/platforms/vimc/contract.js\n');
      return 2;
    }
    let models;
    try {
      models = inspect(target);
    } catch (error) {
      process.stderr.write(`ts-ipa inspect: cannot load ${target}: ${(error as Error).message.split('\n')[0]}\n`);
      return 1;
    }
    if (models.length === 0) {
      process.stderr.write(`ts-ipa inspect: ${path.relative(process.cwd(), path.resolve(target))} exports no IPA interface with a generated contract (was it built with the ts-ipa transformer?)\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(models, null, 2)}\n` : `${models.map(describeModel).join('\n\n')}\n`);
    return 0;
  }
  process.stderr.write(`ts-ipa: unknown command '${command}'\n${usage}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
