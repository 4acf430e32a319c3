/**
 * A minimal client for a real tsserver over stdio, as editors talk to it: requests go in as one
 * JSON object per line, responses and events come back as Content-Length framed JSON.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface TsServerDiagnostic {
  start: { line: number; offset: number };
  end: { line: number; offset: number };
  text: string;
  code: number;
  category: string;
  /** Who reported it: "ts-ipa" for the plugin's diagnostics. */
  source?: string;
}

interface Message {
  type: 'response' | 'event';
  seq: number;
  command?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  event?: string;
  body?: unknown;
}

interface Waiter {
  matches(message: Message): boolean;
  resolve(message: Message): void;
  reject(error: Error): void;
}

export interface TsServerOptions {
  /** tsserver.js to run: which copy of TypeScript the "editor" uses. */
  tsserverPath: string;
  /** The project directory; tsserver runs there as an editor would start it for that workspace. */
  cwd: string;
  logFile: string;
  extraArgs?: string[];
  /** How long to wait for one response or event before failing with the log's tail. */
  timeoutMs?: number;
}

export class TsServerClient {
  private readonly server: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<Waiter>();
  private readonly received: Message[] = [];
  private pending = Buffer.alloc(0);
  private nextSeq = 1;
  private stderr = '';
  private exited: string | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: TsServerOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.server = spawn(process.execPath, [
      options.tsserverPath,
      '--logVerbosity', 'verbose',
      '--logFile', options.logFile,
      // The typings installer would be a second process that may try the network.
      '--disableAutomaticTypingAcquisition',
      ...(options.extraArgs ?? []),
    ], { cwd: options.cwd, stdio: 'pipe' });
    this.server.stdout.on('data', (chunk: Buffer) => this.take(chunk));
    this.server.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString('utf8'); });
    this.server.on('exit', (code, signal) => {
      this.exited = `tsserver exited (code ${code}, signal ${signal})`;
      for (const waiter of this.waiters) waiter.reject(new Error(`${this.exited}\n${this.describe()}`));
      this.waiters.clear();
    });
  }

  /**
   * What a failing assertion should show: what tsserver logged about plugins (which the end of a
   * long log no longer shows), the end of the log, and stderr.
   */
  describe(tailLines = 40): string {
    const lines = this.log().trimEnd().split('\n');
    const aboutPlugins = lines.filter((line) => /\b[Pp]lugins?\b(?![.\w])|Failed to load module|Couldn't find/.test(line) && !/^\s*"/.test(line))
      .map((line) => (line.length > 600 ? `${line.slice(0, 600)} ...` : line));
    return [
      `--- tsserver log: ${this.options.logFile} ---`,
      '--- about plugins ---', ...(aboutPlugins.length ? aboutPlugins : ['(nothing)']),
      `--- last ${tailLines} lines ---`, ...lines.slice(-tailLines),
      ...(this.stderr ? ['--- stderr ---', this.stderr] : []),
    ].join('\n');
  }

  log(): string {
    return fs.existsSync(this.options.logFile) ? fs.readFileSync(this.options.logFile, 'utf8') : '';
  }

  /** Sends a request and resolves with its response's body; a failed request rejects with tsserver's message. */
  async request<T = unknown>(command: string, args?: unknown): Promise<T> {
    const seq = this.send(command, args);
    const response = await this.waitFor(`the response to ${command}`, (m) => m.type === 'response' && m.request_seq === seq);
    if (!response.success) throw new Error(`tsserver refused ${command}: ${response.message}\n${this.describe()}`);
    return response.body as T;
  }

  /** Sends a request that has no response (open, change, geterr, ...). */
  notify(command: string, args?: unknown): number {
    return this.send(command, args);
  }

  /**
   * The semantic diagnostics tsserver pushes for a file after `geterr`, the way editors ask for them.
   * Waits for the event of this request, not an earlier one: events before the request are ignored.
   */
  async semanticDiagnostics(file: string): Promise<TsServerDiagnostic[]> {
    const since = this.received.length;
    this.notify('geterr', { files: [file], delay: 0 });
    const event = await this.waitFor(`semanticDiag for ${file}`, (m) =>
      m.type === 'event' && m.event === 'semanticDiag' && (m.body as { file: string }).file === file, since);
    return (event.body as { diagnostics: TsServerDiagnostic[] }).diagnostics;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise<void>((resolve) => this.server.once('exit', () => resolve()));
    this.server.stdin.end(`${JSON.stringify({ seq: this.nextSeq++, type: 'request', command: 'exit' })}\n`);
    const killed = setTimeout(() => this.server.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(killed);
  }

  private send(command: string, args?: unknown): number {
    if (this.exited) throw new Error(`${this.exited}\n${this.describe()}`);
    const seq = this.nextSeq++;
    this.server.stdin.write(`${JSON.stringify({ seq, type: 'request', command, arguments: args })}\n`);
    return seq;
  }

  private waitFor(what: string, matches: (message: Message) => boolean, since = 0): Promise<Message> {
    const earlier = this.received.slice(since).find(matches);
    if (earlier) return Promise.resolve(earlier);
    if (this.exited) return Promise.reject(new Error(`${this.exited} before ${what}\n${this.describe()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${what} from tsserver within ${this.timeoutMs} ms\n${this.describe()}`));
      }, this.timeoutMs);
      const waiter: Waiter = {
        matches,
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      this.waiters.add(waiter);
    });
  }

  /** Splits stdout into `Content-Length: n\r\n\r\n<n bytes of JSON>` messages; n counts bytes, not characters. */
  private take(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const headerEnd = this.pending.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.pending.subarray(0, headerEnd).toString('ascii');
      const length = /Content-Length: (\d+)/i.exec(header);
      if (!length) throw new Error(`tsserver wrote something that is not a message header: ${JSON.stringify(header)}`);
      const bodyStart = headerEnd + 4;
      const bodyEnd = bodyStart + Number(length[1]);
      if (this.pending.length < bodyEnd) return;
      const message = JSON.parse(this.pending.subarray(bodyStart, bodyEnd).toString('utf8')) as Message;
      this.pending = this.pending.subarray(bodyEnd);
      this.received.push(message);
      for (const waiter of this.waiters) {
        if (waiter.matches(message)) {
          this.waiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    }
  }
}
