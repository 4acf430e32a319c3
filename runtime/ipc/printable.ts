/**
 * Text a peer wrote (a farewell, a greeting), made safe to put in an error message and so in a
 * log or on a terminal: control characters (terminal escape sequences start with one) and the
 * marks that reorder text (bidirectional overrides) become \u escapes, and at most `max`
 * characters are kept.
 */
export function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
