/**
 * JSON from a module's files, with errors that never quote the text: V8's do ("Unexpected token
 * 'T', "TOP-SECRET..." is not valid JSON"), and a manifest may be a link to a secret file. Only
 * what V8 says of where the text goes wrong is kept: a position, or that the text ends too soon.
 */
export function parseJSON(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    if (position !== undefined) return { error: `not valid JSON at position ${position}` };
    return { error: /end of JSON input/.test(message) ? 'not valid JSON: it ends before its last value does' : 'not valid JSON' };
  }
}
