/** Command-line parsing: one util.parseArgs call per command, each complaint one line of ts-ipa's own. */
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What a string option's value is, for the help: `--frames <n>`. */
  value?: string;
  multiple?: boolean;
  short?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** Every command takes --help. */
export const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'this help' };

/**
 * Parses one command's arguments. parseArgs runs non-strict and its tokens are checked here:
 * strict mode's own errors are several lines, not naming the command, and it refuses
 * `--frames -3` as ambiguous before the value could be checked (and explained).
 */
export function parseCommandArgs(command: string, args: string[], specs: OptionSpecs, maxPositionals: number): { values: OptionValues; positionals: string[] } {
  // parseArgs refuses keys it does not know, and ones given as undefined.
  const options = Object.fromEntries(Object.entries(specs).map(([name, { type, multiple, short }]) => [
    name, { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) },
  ]));
  const { values, positionals, tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option') checkOption(command, token, specs[token.name]);
  }
  if (positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${positionals[maxPositionals]}' (ts-ipa ${command} --help shows what ${command} takes)`);
  }
  return { values: values as OptionValues, positionals };
}

interface OptionToken {
  rawName: string;
  value?: string;
  inlineValue?: boolean;
}

function checkOption(command: string, token: OptionToken, spec: OptionSpec | undefined): void {
  const name = token.rawName;
  if (!spec) throw new UsageError(`unknown option ${name} (ts-ipa ${command} --help lists ${command}'s options)`);
  if (spec.type === 'boolean') {
    if (token.value !== undefined) throw new UsageError(`${name} takes no value`);
    return;
  }
  // Non-strict parseArgs takes the next word whatever it is: `--out --force` would make a
  // directory named --force. A negative number is a value (to be checked, and refused, as one).
  const missing = token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && !/^-\d/.test(token.value));
  if (missing) throw new UsageError(`${name} needs a value: ${name} <${spec.value ?? 'value'}> (one starting with '-' as ${name}=-...)`);
}

/** The options' lines of a command's help. */
export function describeOptions(specs: OptionSpecs): string {
  const left = (name: string, spec: OptionSpec) => `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
  const rows = Object.entries(specs).map(([name, spec]) => [left(name, spec), spec.help + (spec.multiple ? ' (may be given more than once)' : '')] as const);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n');
}
