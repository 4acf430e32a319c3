/**
 * JSON from a module's files, with errors that never quote the text: V8's do ("Unexpected token
 * 'T', "TOP-SECRET..." is not valid JSON"), and a manifest may be a link to a secret file.
 */

/** The parsed value, or a `not valid JSON at position N` error (N counts UTF-16 code units, as JSON.parse's). */
export function parseJSON(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: `not valid JSON at position ${errorPosition(text)}` };
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * Where JSON.parse gave up on `text`: a small JSON scanner, run only after a failed parse. It
 * keeps its own stack of open containers, so deep nesting cannot overflow the call stack.
 */
function errorPosition(text: string): number {
  let i = 0;
  const open: string[] = [];
  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const digits = (): boolean => {
    const start = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    return i > start;
  };
  // Each step scans one value; false where the text goes wrong (at i).
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return true;
      }
      if (c < ' ') return false;
      if (c === '\\') {
        i++;
        if (ESCAPES.has(text[i]!)) i++;
        else if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) return false;
        } else return false;
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  const scalar = (): boolean => {
    const c = text[i];
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return true;
      }
    }
    return false;
  };
  // A value, then what may follow it inside the open containers, until the text ends.
  for (;;) {
    skipWhitespace();
    const c = text[i];
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      skipWhitespace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        open.pop();
        i++;
      } else if (c === '{') {
        if (text[i] !== '"' || !string()) return i;
        skipWhitespace();
        if (text[i] !== ':') return i;
        i++;
        continue;
      } else continue;
    } else if (!scalar()) return i;
    // After a value: a comma, the end of the container, or the end of the text.
    for (;;) {
      skipWhitespace();
      const top = open[open.length - 1];
      if (top === undefined) return i; // trailing text after the value (or, oddly, none)
      if (text[i] === ',') {
        i++;
        if (top === '{') {
          skipWhitespace();
          if (text[i] !== '"' || !string()) return i;
          skipWhitespace();
          if (text[i] !== ':') return i;
          i++;
        }
        break;
      }
      if (text[i] === (top === '{' ? '}' : ']')) {
        open.pop();
        i++;
        continue;
      }
      return i;
    }
  }
}
