// The runner's file commands: what a step wrote to GITHUB_ENV, GITHUB_OUTPUT,
// GITHUB_STATE (`NAME=value` lines and `NAME<<DELIMITER` heredocs) and
// GITHUB_PATH (one directory a line), read with actions/runner's rules.

import { delimiter as PATH_DELIMITER } from 'node:path';

export type KeyValueFileCommand = 'GITHUB_ENV' | 'GITHUB_OUTPUT' | 'GITHUB_STATE';

export type KeyValueEntry = readonly [name: string, value: string];

export interface KeyValueFileResult {
  /** In file order; a name may repeat (the last one wins when applied). */
  entries: KeyValueEntry[];
  /**
   * At most one: like the runner, reading stops at the first malformed line,
   * and the entries before it still count. An error fails the step.
   */
  errors: string[];
}

export interface EnvValidation {
  /** The entries the runner applies. */
  entries: KeyValueEntry[];
  /** Error annotations for refused names; they do not fail the step. */
  errors: string[];
}

/** The runner's own names for these file commands, used in its messages. */
const RUNNER_NAMES: Record<KeyValueFileCommand, string> = {
  GITHUB_ENV: 'env',
  GITHUB_OUTPUT: 'output',
  GITHUB_STATE: 'state',
};

/** Names GITHUB_ENV may not set. */
const ENV_BLOCK_LIST = ['NODE_OPTIONS'];

const BYTE_ORDER_MARK = '\uFEFF';

class FileFormatError extends Error {
  constructor(
    message: string,
    readonly lineNumber: number,
  ) {
    super(message);
  }
}

interface Line {
  text: string;
  number: number;
  /** '' for a last line without a line break. */
  newline: '' | '\n' | '\r\n';
}

/**
 * Reads the file line by line, keeping the offset so a heredoc value can be
 * cut from the text as written. CRLF is read as one line break, as on the
 * Windows runner; the Linux runner breaks lines at LF only.
 */
class LineReader {
  offset = 0;
  #lineNumber = 0;

  constructor(readonly text: string) {}

  next(): Line | undefined {
    if (this.offset >= this.text.length) return undefined;
    const start = this.offset;
    const lf = this.text.indexOf('\n', start);
    this.#lineNumber++;
    if (lf < 0) {
      this.offset = this.text.length;
      return { text: this.text.slice(start), number: this.#lineNumber, newline: '' };
    }
    this.offset = lf + 1;
    const crlf = lf > start && this.text[lf - 1] === '\r';
    return { text: this.text.slice(start, crlf ? lf - 1 : lf), number: this.#lineNumber, newline: crlf ? '\r\n' : '\n' };
  }
}

/** Parses GITHUB_ENV, GITHUB_OUTPUT or GITHUB_STATE content. */
export function parseKeyValueFile(content: string, command: KeyValueFileCommand): KeyValueFileResult {
  const entries: KeyValueEntry[] = [];
  try {
    for (const entry of readEntries(withoutByteOrderMark(content))) entries.push(entry);
  } catch (error) {
    if (!(error instanceof FileFormatError)) throw error;
    const where = `${command}, line ${error.lineNumber}`;
    return { entries, errors: [`Unable to process file command '${RUNNER_NAMES[command]}' successfully (${where}): ${error.message}`] };
  }
  return { entries, errors: [] };
}

function* readEntries(text: string): Generator<KeyValueEntry> {
  const reader = new LineReader(text);
  for (let line = reader.next(); line; line = reader.next()) {
    if (line.text !== '') yield readEntry(line, reader);
  }
}

/**
 * `NAME<<DELIMITER` (also `NAME=<<DELIMITER`, blanks allowed around the `=`)
 * starts a heredoc; otherwise `NAME=value` with the value running to the end
 * of the line. A line with an `=` before a `<<DELIMITER` is refused: the
 * runner will not guess whether a delimiter (base64 ones hold `=`) or an
 * injected value is meant.
 */
function readEntry(line: Line, reader: LineReader): KeyValueEntry {
  const { text } = line;
  const equals = text.indexOf('=');
  const heredoc = text.indexOf('<<');
  const delimiter = heredoc >= 0 ? text.slice(heredoc + 2) : '';
  if (heredoc >= 0 && (equals < 0 || heredoc < equals)) {
    return readHeredoc(text.slice(0, heredoc), delimiter, line, reader);
  }
  if (heredoc > equals && equals >= 0 && text.slice(equals + 1, heredoc).trim() === '') {
    return readHeredoc(text.slice(0, equals), delimiter, line, reader);
  }
  if (equals >= 0 && !(heredoc > equals && isDelimiterLike(delimiter))) {
    // The runner checks the line rather than the name here, so `=value` is
    // accepted with an empty name.
    return [text.slice(0, equals), text.slice(equals + 1)];
  }
  throw new FileFormatError(`Invalid format '${text}'`, line.number);
}

function isDelimiterLike(text: string): boolean {
  return text !== '' && !/\s/.test(text);
}

function readHeredoc(rawName: string, delimiter: string, opener: Line, reader: LineReader): KeyValueEntry {
  const name = rawName.trim();
  if (name === '' || delimiter === '') {
    throw new FileFormatError(
      `Invalid format '${opener.text}'. Name must not be empty and delimiter must not be empty`,
      opener.number,
    );
  }
  const start = reader.offset;
  let end = start;
  for (;;) {
    const line = reader.next();
    if (!line) throw new FileFormatError(`Invalid value. Matching delimiter not found '${delimiter}'`, opener.number);
    if (line.text === delimiter) break;
    if (line.newline === '') throw new FileFormatError('Invalid value. EOF marker missing new line.', line.number);
    end = reader.offset - line.newline.length;
  }
  return [name, reader.text.slice(start, end)];
}

/** Drops the names GITHUB_ENV refuses (NODE_OPTIONS, in any case), with the runner's error. */
export function validateEnvEntries(entries: readonly KeyValueEntry[]): EnvValidation {
  const accepted: KeyValueEntry[] = [];
  const errors: string[] = [];
  for (const entry of entries) {
    const blocked = ENV_BLOCK_LIST.find((name) => name.toUpperCase() === entry[0].toUpperCase());
    if (blocked) errors.push(`Can't store ${blocked} output parameter using '$GITHUB_ENV' command.`);
    else accepted.push(entry);
  }
  return { entries: accepted, errors };
}

/** GITHUB_PATH: one directory a line, in file order; only empty lines are skipped (as the runner does). */
export function parsePathFile(content: string): string[] {
  return withoutByteOrderMark(content)
    .split(/\r\n|\r|\n/)
    .filter((line) => line !== '');
}

/**
 * PATH for a step: the directories added through GITHUB_PATH (in the order
 * they were added, over all earlier steps) go in front of `currentPath`, the
 * most recently added first. A directory added again moves to the front.
 */
export function prependPaths(currentPath: string, added: readonly string[], separator = PATH_DELIMITER): string {
  const prefix = newestFirstWithoutRepeats(added).join(separator);
  if (prefix === '') return currentPath;
  if (currentPath === '') return prefix;
  if (currentPath.startsWith(prefix + separator)) return currentPath;
  return prefix + separator + currentPath;
}

function newestFirstWithoutRepeats(paths: readonly string[]): string[] {
  return [...new Set([...paths].reverse())];
}

function withoutByteOrderMark(content: string): string {
  return content.startsWith(BYTE_ORDER_MARK) ? content.slice(1) : content;
}
