import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedTarball } from './packed';
import { root } from './support';
import { TsServerClient, type TsServerDiagnostic } from './tsserver-client';

/**
 * The editor as a user gets it: ts-ipa packed and installed from the tarball into a project of
 * their own, the README's plugins line in its tsconfig.json, and the real tsserver of that
 * project's TypeScript (what VS Code runs with "use workspace version") finding the plugin by
 * name. A test that require()s the plugin by path cannot see whether tsserver finds it.
 */

const contractLines = [
  "import { struct, type f32, type u32 } from 'ts-ipa';",
  '',
  '@struct()',
  'export class Frame {',
  '  id!: u32;',
  '  gain!: number;',
  '}',
  '',
];
// Where `number` sits in `  gain!: number;`, in tsserver's 1-based lines and offsets.
const plainNumber = { line: 6, offset: 10, endOffset: 16 };
const plainNumberMessage =
  "[ts-ipa/plain-number] field 'gain' of struct 'Frame' is a plain 'number', which has no wire width. Use u8, u16, u32, i8, i16, i32, f32 or f64 from ts-ipa.";
const plainNumberDiagnostic = {
  start: { line: plainNumber.line, offset: plainNumber.offset },
  end: { line: plainNumber.line, offset: plainNumber.endOffset },
  text: plainNumberMessage,
  code: 99001,
  category: 'error',
  source: 'ts-ipa',
};

const timeoutMs = 180_000;

let workspace: string;
let project: string;
let contractFile: string;
const clients: TsServerClient[] = [];

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-editor-')));
  project = path.join(workspace, 'project');
  fs.mkdirSync(path.join(project, 'src'), { recursive: true });

  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'editor-user', private: true }));
  // --ignore-scripts: the editor plugin needs no native addon, and building one here would only
  // cost time on a shared machine.
  npm(['install', packedTarball(), 'typescript@5.9.3', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);

  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'out', types: [], skipLibCheck: true,
      plugins: [{ transform: 'ts-ipa/transformer', name: 'ts-ipa/language-service' }],
    },
    include: ['src'],
  }, null, 2));
  contractFile = path.join(project, 'src/contract.ts');
  fs.writeFileSync(contractFile, contractLines.join('\n'));
}, timeoutMs);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
}, timeoutMs);

function startTsServer(tsserverPath: string, name: string, extraArgs: string[] = []): TsServerClient {
  const client = new TsServerClient({
    tsserverPath, cwd: project, logFile: path.join(workspace, `${name}.log`), extraArgs, timeoutMs: timeoutMs / 2,
  });
  clients.push(client);
  return client;
}

function openContract(client: TsServerClient): void {
  client.notify('open', { file: contractFile, fileContent: fs.readFileSync(contractFile, 'utf8'), projectRootPath: project });
}

/** What an editor would underline: the diagnostic's place and text, without tsserver's extra fields. */
function shown(diagnostics: TsServerDiagnostic[]) {
  return diagnostics.map(({ start, end, text, code, category, source }) => ({ start, end, text, code, category, source }));
}

describe("the project's own tsserver (VS Code's workspace TypeScript)", () => {
  let client: TsServerClient;

  beforeAll(() => {
    client = startTsServer(path.join(project, 'node_modules/typescript/lib/tsserver.js'), 'workspace-tsserver');
    openContract(client);
  });

  it("shows a contract error at its place, with the build's message", async () => {
    const diagnostics = await client.semanticDiagnostics(contractFile);
    expect(shown(diagnostics), client.describe()).toEqual([plainNumberDiagnostic]);
  }, timeoutMs);

  it('found the plugin by the name in the README, in the project\'s node_modules', () => {
    const log = client.log();
    expect(log, client.describe()).toContain('Enabling plugin ts-ipa/language-service from candidate paths');
    expect(log, client.describe()).toContain(`(resolved to ${path.join(project, 'node_modules')}`);
    expect(log, client.describe()).toContain('Plugin validation succeeded');
    expect(log, client.describe()).not.toContain("Couldn't find ts-ipa/language-service");
  });

  it('drops the error once an edit fixes it, and shows it again when the edit is undone', async () => {
    const at = { file: contractFile, line: plainNumber.line, offset: plainNumber.offset, endLine: plainNumber.line };
    client.notify('change', { ...at, endOffset: plainNumber.endOffset, insertString: 'f32' });
    expect(shown(await client.semanticDiagnostics(contractFile)), client.describe()).toEqual([]);

    client.notify('change', { ...at, endOffset: plainNumber.offset + 'f32'.length, insertString: 'number' });
    expect(shown(await client.semanticDiagnostics(contractFile)), client.describe()).toEqual([plainNumberDiagnostic]);
  }, timeoutMs);

  it('reports each error once after the project reloads', async () => {
    // A reload runs every plugin's create() again, over the language service it already extended.
    const pluginsCreated = () => client.log().split('Plugin validation succeeded').length - 1;
    const createdBeforeReload = pluginsCreated();
    await client.request('reloadProjects');
    expect(shown(await client.semanticDiagnostics(contractFile)), client.describe()).toEqual([plainNumberDiagnostic]);
    expect(pluginsCreated(), client.describe()).toBeGreaterThan(createdBeforeReload);
  }, timeoutMs);
});

describe('a tsserver of another TypeScript install, pointed at the project with --pluginProbeLocations', () => {
  // ts-ipa's own node_modules/typescript: a second copy, not the one the project's ts-ipa resolves.
  // The plugin must work with the TypeScript module tsserver hands it, not one of its own.
  const otherTsServer = path.join(root, 'node_modules/typescript/lib/tsserver.js');
  let client: TsServerClient;

  beforeAll(() => {
    client = startTsServer(otherTsServer, 'other-tsserver', ['--pluginProbeLocations', project]);
    openContract(client);
  });

  it('shows the same contract error', async () => {
    expect(fs.realpathSync(otherTsServer)).not.toBe(fs.realpathSync(path.join(project, 'node_modules/typescript/lib/tsserver.js')));
    const diagnostics = await client.semanticDiagnostics(contractFile);
    expect(shown(diagnostics), client.describe()).toEqual([plainNumberDiagnostic]);
    expect(client.log(), client.describe()).toContain(`Loading ts-ipa/language-service from ${project} (resolved to ${path.join(project, 'node_modules')})`);
  }, timeoutMs);
});

describe('the installed plugin module', () => {
  it('is one module whether tsserver or Node resolves the name, and loads no TypeScript of its own', () => {
    // Were it to load its own, a tsserver of another install would see nodes and flags of two copies mixed.
    const loaded = execFileSync(process.execPath, ['-e', `
      const asTsServerFindsIt = require('./node_modules/ts-ipa/language-service.js');
      const asNodeFindsIt = require('ts-ipa/language-service');
      console.log(JSON.stringify({ same: asTsServerFindsIt === asNodeFindsIt, modules: Object.keys(require.cache) }));
    `], { cwd: project, encoding: 'utf8' });
    const { same, modules } = JSON.parse(loaded) as { same: boolean; modules: string[] };
    expect(same).toBe(true);
    expect(modules).toContain(path.join(project, 'node_modules/ts-ipa/dist/transformer/language-service.js'));
    expect(modules.filter((file) => file.includes(`${path.sep}typescript${path.sep}`))).toEqual([]);
  });
});
