// Locates a JSON syntax error as line and column, for messages about event files.
//
// Node 20's JSON.parse names the offset in most messages ("... in JSON at position 13"),
// but not in two:
// - "Unexpected end of JSON input": the error is at the end of the text.
// - "Unexpected token '}', ..."after": }"... is not valid JSON" (and `"NaN" is not valid
//   JSON` when the whole text is NaN, Infinity or undefined). The quoted context is the ten
//   characters either side of the token, or the whole text when it is shorter than 21;
//   when the token or its context occurs more than once, the message does not say which.
// The yaml package cannot locate these either: `{"a": tru}`, `[1,]`, `{"a": }` and `[.5]`
// are valid YAML, so it finds nothing wrong with them.
// So rather than keep a second JSON grammar here, we ask JSON.parse: a text cut before its
// error is still the start of some JSON, and JSON.parse then fails only where the cut text
// ends; cut after the error, it fails earlier. A binary search over the cut finds the error
// in about log2(length) parses.

/** JSON.parse's verdict on a text: -1 when it parses, the offset it names, or undefined when it names none. */
function reportedErrorOffset(text: string): number | undefined {
  try {
    JSON.parse(text);
    return -1;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    if (error.message.startsWith('Unexpected end of JSON input')) return text.length;
    const position = / at position (\d+)/.exec(error.message);
    return position ? Number(position[1]) : undefined;
  }
}

/** Whether some valid JSON text starts with `text`. */
function isJsonPrefix(text: string): boolean {
  const offset = reportedErrorOffset(text);
  return offset === -1 || offset === text.length;
}

/** Offset of the first syntax error in a JSON text (the text's length when it ends too early), or -1 when it is valid. */
export function findJsonErrorOffset(text: string): number {
  const reported = reportedErrorOffset(text);
  if (reported !== undefined) return reported;
  // The whole text is not a prefix of JSON (JSON.parse named a token in it); the empty text is.
  let prefix = 0;
  let notPrefix = text.length;
  while (notPrefix - prefix > 1) {
    const middle = Math.floor((prefix + notPrefix) / 2);
    if (isJsonPrefix(text.slice(0, middle))) prefix = middle;
    else notPrefix = middle;
  }
  return prefix;
}

export interface JsonErrorLocation {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** JSON.parse's message without the offset or the quoted context. */
  reason: string;
}

/** Where `error`, thrown by JSON.parse(text), is in the text, and what it says. */
export function locateJsonError(text: string, error: SyntaxError): JsonErrorLocation {
  const offset = findJsonErrorOffset(text);
  const lines = text.slice(0, offset === -1 ? text.length : offset).split('\n');
  const reason = error.message.replace(/,? (?:\.\.\.)?".*is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1, reason };
}
