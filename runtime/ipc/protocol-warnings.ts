import { printable } from './printable';
import { RateLimit } from './rate-limit';

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

const limit = new RateLimit(WARNINGS_PER_WINDOW, WARNING_WINDOW_MS, (count) => {
  emit(`${count} more protocol warning${count === 1 ? '' : 's'} suppressed in the last second`);
});

/** Emits `ts-ipa: <message>` as a TS_IPA_PROTOCOL warning, unless this second has had its share. */
export function warnProtocol(message: string): void {
  if (limit.allow()) emit(printable(message, MAX_WARNING_CHARS));
}

function emit(message: string): void {
  process.emitWarning(`ts-ipa: ${message}`, { code: 'TS_IPA_PROTOCOL' });
}
