import { printable } from './printable';

/**
 * Process warnings for protocol errors nobody listens for, rate-limited for the whole process: a
 * hostile IPA decides how many malformed messages arrive, not how much the pipeline handler
 * logs. The first few of each second are shown, the rest counted and summed up once the second
 * is over.
 */

/** Warnings shown per window; the rest are counted. */
export const WARNINGS_PER_WINDOW = 5;
export const WARNING_WINDOW_MS = 1000;
/** A warning's text is cut here, and made printable: an error message may quote what the IPA sent. */
const MAX_WARNING_CHARS = 300;

let windowStart = -Infinity;
let shown = 0;
let suppressed = 0;
let summary: NodeJS.Timeout | undefined;

/** Emits `ts-ipa: <message>` as a TS_IPA_PROTOCOL warning, unless this second has had its share. */
export function warnProtocol(message: string): void {
  const now = performance.now();
  if (now - windowStart >= WARNING_WINDOW_MS) {
    windowStart = now;
    shown = 0;
  }
  if (shown < WARNINGS_PER_WINDOW) {
    shown++;
    emit(printable(message, MAX_WARNING_CHARS));
    return;
  }
  suppressed++;
  // Unreferenced: a summary is not worth keeping a process alive for.
  summary ??= setTimeout(summarize, windowStart + WARNING_WINDOW_MS - now).unref();
}

function summarize(): void {
  summary = undefined;
  const count = suppressed;
  suppressed = 0;
  // The summary opens the next window and takes one of its places.
  windowStart = performance.now();
  shown = 1;
  emit(`${count} more protocol warning${count === 1 ? '' : 's'} suppressed in the last second`);
}

function emit(message: string): void {
  process.emitWarning(`ts-ipa: ${message}`, { code: 'TS_IPA_PROTOCOL' });
}
