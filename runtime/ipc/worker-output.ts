import type { Readable } from 'node:stream';
import { printable } from './printable';
import { RateLimit } from './rate-limit';

/**
 * What a worker process writes on its stdout and stderr, passed on to the pipeline handler's
 * stderr as log lines. A worker is never handed the handler's own stdio: on a terminal it could
 * change the terminal's modes (raw, no ISIG: Ctrl-C would no longer reach the handler), into a
 * log it could write lines that pass for the handler's, terminal escapes and gigabytes, and a
 * handler's stdout may be its data (`ts-ipa capture -o -`).
 *
 * Each line is prefixed with the worker's name, made printable and cut at MAX_LINE_CHARS; at most
 * LINES_PER_WINDOW lines a window are passed on, the rest counted and summed up at the window's
 * end. Past its share the worker's output is not read until the window ends: a worker that keeps
 * writing blocks on its own pipe instead of making the handler read.
 */
export const MAX_LINE_CHARS = 300;
export const LINES_PER_WINDOW = 20;
export const OUTPUT_WINDOW_MS = 1000;
/** Lines kept for the crash of a worker that could not say why itself (see lastWords). */
const KEPT_LINES = 64;
/** A line that says what went wrong, as Node and V8 word it, rather than where (a stack frame). */
const SAYS_WHY = /\b\w*Error\b|bad option|FATAL|not found|denied|refused/;

/** What a worker wrote last, printable: why it died, when it died before it could say so on its socket. */
export interface WorkerOutput {
  lastWords(): string;
}

export function forwardWorkerOutput(
  streams: readonly (Readable | null | undefined)[],
  name: string,
  write: (line: string) => void = (line) => process.stderr.write(line),
): WorkerOutput {
  const last: string[] = [];
  const paused: Readable[] = [];
  const emit = (text: string): void => {
    try {
      write(`ts-ipa: ${name}: ${text}\n`);
    } catch {
      // the handler's own stderr is gone: nothing to tell
    }
  };
  const limit = new RateLimit(LINES_PER_WINDOW, OUTPUT_WINDOW_MS, (count) => {
    emit(`${count} more line${count === 1 ? '' : 's'} of output suppressed`);
    for (const stream of paused.splice(0)) stream.resume();
  });
  const line = (text: string, stream: Readable): void => {
    if (text.trim() !== '') {
      last.push(printable(text.trim(), MAX_LINE_CHARS));
      if (last.length > KEPT_LINES) last.shift();
    }
    if (limit.allow()) return emit(printable(text, MAX_LINE_CHARS));
    if (!paused.includes(stream)) {
      stream.pause();
      paused.push(stream);
    }
  };

  for (const stream of streams) {
    if (!stream) continue;
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk: string) => {
      let text = partial + chunk;
      partial = '';
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n')) {
        line(text.slice(0, at), stream);
        text = text.slice(at + 1);
      }
      // A line without end is kept only as far as it is shown.
      if (text.length > MAX_LINE_CHARS) {
        line(text, stream);
        text = '';
      }
      partial = text;
    });
    stream.on('end', () => {
      if (partial !== '') line(partial, stream);
      partial = '';
    });
    stream.on('error', () => {});
  }
  // The last line that says why, else the last line: a stack trace ends in frames and braces.
  return { lastWords: () => [...last].reverse().find((l) => SAYS_WHY.test(l)) ?? last[last.length - 1] ?? '' };
}

/** How long a worker's output may take to be read to its end once the worker is gone. */
export const OUTPUT_DRAIN_MS = 200;

/**
 * Once the worker is gone: its output pipes read to their end, or past OUTPUT_DRAIN_MS closed
 * unread (a worker over its share, or a process it left holding them), so that closing a proxy
 * leaves no fd behind.
 */
export function releaseWorkerOutput(streams: readonly (Readable | null | undefined)[]): Promise<void> {
  const open = streams.filter((stream): stream is Readable => !!stream && !stream.destroyed);
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = open.length;
    const done = (): void => {
      clearTimeout(timer);
      for (const stream of open) stream.destroy();
      resolve();
    };
    const timer = setTimeout(done, OUTPUT_DRAIN_MS);
    for (const stream of open) {
      stream.once('close', () => {
        if (--left === 0) done();
      });
    }
  });
}
