// Workflow commands a step prints on stdout (`::name props::data`), parsed one
// line at a time with the rules of actions/runner's ActionCommand and
// ActionCommandManager: which lines are commands, how they are unescaped, what
// each one does, what the runner reports about it and what it echoes.

import type { Annotation } from './events.ts';

export type WorkflowCommand =
  | { kind: 'add-mask'; value: string }
  | { kind: 'group'; title: string }
  | { kind: 'endgroup' }
  | { kind: 'annotation'; annotation: Annotation }
  | { kind: 'debug'; message: string }
  | { kind: 'echo'; enabled: boolean }
  /** `maskToken`: the runner registers a token longer than 6 characters as a secret. */
  | { kind: 'stop-commands'; token: string; maskToken: boolean }
  | { kind: 'resume-commands'; token: string }
  /** Deprecated but still honoured by the runner, with a warning. */
  | { kind: 'set-output'; name: string; value: string }
  | { kind: 'save-state'; name: string; value: string }
  /** Only with `allowUnsecureCommands` (ACTIONS_ALLOW_UNSECURE_COMMANDS=true). */
  | { kind: 'set-env'; name: string; value: string }
  | { kind: 'add-path'; path: string }
  /** Problem matchers: parsed so the caller can decide what to do with them. */
  | { kind: 'add-matcher'; file: string }
  | { kind: 'remove-matcher'; owner?: string; file?: string };

/** What the runner itself reports about a command line (it shows these as annotations). */
export interface RunnerMessage {
  level: 'error' | 'warning';
  message: string;
}

export interface ProcessedLine {
  /** The command's effect, for the caller to apply or render (group, annotation, debug...). */
  command?: WorkflowCommand;
  /** Text to show as an ordinary log line (not yet masked), or null when nothing is shown. */
  display: string | null;
  /** Shown after `display`, in order. */
  messages: RunnerMessage[];
  /** The runner marks the step failed when processing this command throws. */
  failsStep: boolean;
}

export interface WorkflowCommandParserOptions {
  /** Initial `::echo::` state; the runner starts with echo off. */
  echo?: boolean;
  /** ACTIONS_ALLOW_UNSECURE_COMMANDS=true: `set-env` and `add-path` work again. */
  allowUnsecureCommands?: boolean;
  /** ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS=true: any `stop-commands` token is accepted. */
  allowUnsecureStopCommandTokens?: boolean;
}

const STOP_COMMANDS = 'stop-commands';

const COMMAND_NAMES = [
  STOP_COMMANDS,
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
] as const;

/** Commands whose own line is never echoed (their output already says it all). */
const OMIT_ECHO: ReadonlySet<string> = new Set(['add-mask', 'debug', 'warning', 'error', 'notice']);

const DISABLED_COMMAND_MESSAGE = (command: string) =>
  `The \`${command}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;

const DEPRECATED_COMMAND_MESSAGE = (command: string) =>
  `The \`${command}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/`;

const INVALID_STOP_TOKEN_MESSAGE =
  "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.";

/** Environment variables `::set-env::` may not touch. */
const SET_ENV_BLOCK_LIST = ['NODE_OPTIONS'];

/** Stop tokens longer than this are registered as secrets by the runner. */
const STOP_TOKEN_MASK_MIN_LENGTH = 7;

type Escapes = ReadonlyArray<readonly [escaped: string, raw: string]>;

// Order matters: `%25` comes last so `%250A` stays `%0A`.
const DATA_ESCAPES: Escapes = [['%0D', '\r'], ['%0A', '\n'], ['%25', '%']];
const PROPERTY_ESCAPES: Escapes = [['%0D', '\r'], ['%0A', '\n'], ['%3A', ':'], ['%2C', ','], ['%25', '%']];
const LEGACY_ESCAPES: Escapes = [['%3B', ';'], ['%0D', '\r'], ['%0A', '\n'], ['%5D', ']'], ['%25', '%']];

/** Characters .NET's `String.Trim()` removes (Unicode White_Space). */
const DOTNET_WHITESPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_WHITESPACE = new RegExp(`^[${DOTNET_WHITESPACE}]+`);
const TRAILING_WHITESPACE = new RegExp(`[${DOTNET_WHITESPACE}]+$`);

interface ParsedCommand {
  /** Lower-cased: command names are case-insensitive. */
  name: string;
  /** Keys lower-cased: property names are case-insensitive; a later duplicate wins. */
  properties: Map<string, string>;
  data: string;
}

interface CommandEffect {
  command?: WorkflowCommand;
  /** Replaces the echoed line (add-mask echoes `::add-mask::***`). */
  display?: string;
}

/** Thrown by a command handler; the runner turns it into two errors and a failed step. */
class CommandFailure extends Error {}

/** Parses one step's stdout, line by line, keeping the runner's per-step state. */
export class WorkflowCommandParser {
  readonly #registered = new Set<string>(COMMAND_NAMES);
  readonly #allowUnsecureCommands: boolean;
  readonly #allowUnsecureStopCommandTokens: boolean;
  #echo: boolean;
  #stopToken: string | undefined;

  constructor(options: WorkflowCommandParserOptions = {}) {
    this.#echo = options.echo ?? false;
    this.#allowUnsecureCommands = options.allowUnsecureCommands ?? false;
    this.#allowUnsecureStopCommandTokens = options.allowUnsecureStopCommandTokens ?? false;
  }

  /** Whether commands are currently ignored because of `::stop-commands::`. */
  get stopped(): boolean {
    return this.#stopToken !== undefined;
  }

  processLine(line: string): ProcessedLine {
    const parsed = parseCommandLine(line, this.#registered);
    if (!parsed) return plainLine(line);
    if (this.#stopToken !== undefined) return this.#whileStopped(parsed, line, this.#stopToken);
    if (parsed.name === STOP_COMMANDS) return this.#stopCommands(parsed, line);
    return this.#run(parsed, line);
  }

  #whileStopped(parsed: ParsedCommand, line: string, token: string): ProcessedLine {
    if (token === '' || parsed.name !== token.toLowerCase()) return plainLine(line);
    this.#registered.delete(token.toLowerCase());
    this.#stopToken = undefined;
    return { command: { kind: 'resume-commands', token }, display: line, messages: [], failsStep: false };
  }

  #stopCommands(parsed: ParsedCommand, line: string): ProcessedLine {
    const token = parsed.data;
    if (this.#isInvalidStopToken(token) && !this.#allowUnsecureStopCommandTokens) {
      return { display: null, messages: [{ level: 'error', message: INVALID_STOP_TOKEN_MESSAGE }], failsStep: true };
    }
    this.#stopToken = token;
    this.#registered.add(token.toLowerCase());
    const maskToken = token.length >= STOP_TOKEN_MASK_MIN_LENGTH;
    return { command: { kind: 'stop-commands', token, maskToken }, display: line, messages: [], failsStep: false };
  }

  #isInvalidStopToken(token: string): boolean {
    const lowered = token.toLowerCase();
    return token === '' || lowered === 'pause-logging' || this.#registered.has(lowered);
  }

  #run(parsed: ParsedCommand, line: string): ProcessedLine {
    const omitEcho = OMIT_ECHO.has(parsed.name);
    const echoed = this.#echo && !omitEcho ? line : null;
    const messages: RunnerMessage[] = [];
    try {
      const effect = this.#execute(parsed, messages);
      return { command: effect.command, display: effect.display ?? echoed, messages, failsStep: false };
    } catch (error) {
      if (!(error instanceof CommandFailure)) throw error;
      const shown = omitEcho ? parsed.name : line;
      messages.push(
        { level: 'error', message: `Unable to process command '${shown}' successfully.` },
        { level: 'error', message: error.message },
      );
      return { display: echoed, messages, failsStep: true };
    }
  }

  #execute(parsed: ParsedCommand, messages: RunnerMessage[]): CommandEffect {
    const { name, properties, data } = parsed;
    switch (name) {
      case 'add-mask':
        return this.#addMask(data, messages);
      case 'group':
        return { command: { kind: 'group', title: data } };
      case 'endgroup':
        return { command: { kind: 'endgroup' } };
      case 'debug':
        return { command: { kind: 'debug', message: data } };
      case 'error':
      case 'warning':
      case 'notice':
        return { command: { kind: 'annotation', annotation: annotationFrom(name, properties, data) } };
      case 'echo':
        return this.#setEcho(data);
      case 'set-output':
      case 'save-state':
        messages.push({ level: 'warning', message: DEPRECATED_COMMAND_MESSAGE(name) });
        return { command: { kind: name, name: requiredName(name, properties), value: data } };
      case 'set-env':
        return this.#setEnv(properties, data, messages);
      case 'add-path':
        return this.#addPath(data);
      case 'add-matcher':
        return addMatcher(data, messages);
      case 'remove-matcher':
        return removeMatcher(properties.get('owner'), data, messages);
      default:
        return {};
    }
  }

  #addMask(value: string, messages: RunnerMessage[]): CommandEffect {
    if (dotnetTrim(value) === '') {
      messages.push({ level: 'warning', message: "Can't add secret mask for empty string in ##[add-mask] command." });
      return {};
    }
    return { command: { kind: 'add-mask', value }, display: this.#echo ? '::add-mask::***' : undefined };
  }

  #setEcho(value: string): CommandEffect {
    if (value === '') throw new CommandFailure("Value cannot be null. (Parameter 'value')");
    const setting = dotnetTrim(value).toUpperCase();
    if (setting !== 'ON' && setting !== 'OFF') {
      throw new CommandFailure(
        `Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '${value}'.`,
      );
    }
    this.#echo = setting === 'ON';
    return { command: { kind: 'echo', enabled: this.#echo } };
  }

  #setEnv(properties: Map<string, string>, value: string, messages: RunnerMessage[]): CommandEffect {
    if (!this.#allowUnsecureCommands) throw new CommandFailure(DISABLED_COMMAND_MESSAGE('set-env'));
    const name = requiredName('set-env', properties);
    const blocked = SET_ENV_BLOCK_LIST.find((entry) => entry.toUpperCase() === name.toUpperCase());
    if (blocked) {
      messages.push({ level: 'error', message: `Can't update ${blocked} environment variable using ::set-env:: command.` });
      return {};
    }
    return { command: { kind: 'set-env', name, value } };
  }

  #addPath(path: string): CommandEffect {
    if (!this.#allowUnsecureCommands) throw new CommandFailure(DISABLED_COMMAND_MESSAGE('add-path'));
    if (path === '') throw new CommandFailure("Value cannot be null. (Parameter 'path')");
    return { command: { kind: 'add-path', path } };
  }
}

function plainLine(line: string): ProcessedLine {
  return { display: line, messages: [], failsStep: false };
}

function requiredName(command: string, properties: Map<string, string>): string {
  const name = properties.get('name');
  if (!name) throw new CommandFailure(`Required field 'name' is missing in ##[${command}] command.`);
  return name;
}

function addMatcher(file: string, messages: RunnerMessage[]): CommandEffect {
  if (file === '') {
    messages.push({ level: 'warning', message: 'File path must be specified.' });
    return {};
  }
  return { command: { kind: 'add-matcher', file } };
}

function removeMatcher(owner: string | undefined, file: string, messages: RunnerMessage[]): CommandEffect {
  if (owner && file) {
    messages.push({
      level: 'warning',
      message: 'Either specify an owner name or a file path in ##[remove-matcher] command. Both values cannot be set.',
    });
    return {};
  }
  if (owner) return { command: { kind: 'remove-matcher', owner } };
  if (file) return { command: { kind: 'remove-matcher', file } };
  messages.push({
    level: 'warning',
    message: 'Either an owner name or a file path must be specified in ##[remove-matcher] command.',
  });
  return {};
}

// --- Parsing ---------------------------------------------------------------

/** `::name props::data` first, then the legacy `##[name props]data` form, as the runner does. */
/**
 * False when `line` cannot hold a command of either form: such a line is shown
 * as it is, whatever the parser's state. Almost every line of output is one,
 * and two native searches say so.
 */
export function mayHoldCommand(line: string): boolean {
  return line.includes('::') || line.includes('##[');
}

function parseCommandLine(line: string, registered: ReadonlySet<string>): ParsedCommand | undefined {
  if (!mayHoldCommand(line)) return undefined;
  return parseColonCommand(line, registered) ?? parseLegacyCommand(line, registered);
}

function parseColonCommand(line: string, registered: ReadonlySet<string>): ParsedCommand | undefined {
  const message = line.replace(LEADING_WHITESPACE, '');
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = splitCommandInfo(message.slice(2, end), registered);
  if (!info) return undefined;
  const properties = parseProperties(dotnetTrim(info.properties), ',', PROPERTY_ESCAPES);
  return { name: info.name, properties, data: unescape(message.slice(end + 2), DATA_ESCAPES) };
}

function parseLegacyCommand(line: string, registered: ReadonlySet<string>): ParsedCommand | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const bracket = line.indexOf(']', prefix);
  if (bracket < 0) return undefined;
  const info = splitCommandInfo(line.slice(prefix + 3, bracket), registered);
  if (!info) return undefined;
  const properties = parseProperties(info.properties, ';', LEGACY_ESCAPES);
  return { name: info.name, properties, data: unescape(line.slice(bracket + 1), LEGACY_ESCAPES) };
}

/** The name runs to the first space; anything after it is the property list. */
function splitCommandInfo(
  info: string,
  registered: ReadonlySet<string>,
): { name: string; properties: string } | undefined {
  const space = info.indexOf(' ');
  const name = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!registered.has(name)) return undefined;
  return { name, properties: space > 0 ? info.slice(space + 1) : '' };
}

function parseProperties(text: string, separator: string, escapes: Escapes): Map<string, string> {
  const properties = new Map<string, string>();
  for (const item of text.split(separator)) {
    const pair = splitProperty(item);
    if (pair) properties.set(pair[0].toLowerCase(), unescape(pair[1], escapes));
  }
  return properties;
}

/**
 * `key=value`, the way .NET's `Split('=', 2, RemoveEmptyEntries)` reads it:
 * empty pieces are skipped, so `=a=b` is `a`→`b` and `a==b` is `a`→`b`, and a
 * property with an empty value is dropped.
 */
function splitProperty(item: string): readonly [string, string] | undefined {
  const text = item.replace(/^=+/, '');
  const equals = text.indexOf('=');
  if (equals < 0) return undefined;
  const value = text.slice(equals + 1).replace(/^=+/, '');
  return value === '' ? undefined : [text.slice(0, equals), value];
}

function unescape(text: string, escapes: Escapes): string {
  return escapes.reduce((result, [escaped, raw]) => result.replaceAll(escaped, raw), text);
}

function dotnetTrim(text: string): string {
  return text.replace(LEADING_WHITESPACE, '').replace(TRAILING_WHITESPACE, '');
}

// --- Annotations -----------------------------------------------------------

function annotationFrom(level: Annotation['level'], properties: Map<string, string>, message: string): Annotation {
  const valid = validateLinesAndColumns(properties);
  const annotation: Annotation = { level, message };
  const title = valid.get('title');
  const file = valid.get('file');
  if (title) annotation.title = title;
  if (file) annotation.file = file;
  const positions = [
    ['line', 'line'],
    ['endline', 'endLine'],
    ['col', 'col'],
    ['endcolumn', 'endColumn'],
  ] as const;
  for (const [property, field] of positions) {
    const value = parseInt32(valid.get(property));
    if (value !== undefined) annotation[field] = value;
  }
  return annotation;
}

/**
 * The runner's consistency rules for annotation positions: an end without a
 * start becomes the start, columns need a line (and a single line), and an end
 * before its start drops the pair.
 */
function validateLinesAndColumns(properties: Map<string, string>): Map<string, string> {
  const valid = new Map(properties);
  const endLine = valid.get('endline');
  const endColumn = valid.get('endcolumn');
  // Like the runner, the numbers compared below are the ones first read (0 when
  // absent), even after an end value was copied into a missing start.
  const lineNumber = parseInt32(valid.get('line'));
  const endLineNumber = parseInt32(endLine);
  const colNumber = parseInt32(valid.get('col'));
  const endColumnNumber = parseInt32(endColumn);
  const hasColumn = colNumber !== undefined || endColumnNumber !== undefined;
  let hasLine = lineNumber !== undefined;
  let hasCol = colNumber !== undefined;

  if (endLine !== undefined && endLineNumber !== undefined && !hasLine) {
    valid.set('line', endLine);
    hasLine = true;
  }
  if (endColumn !== undefined && endColumnNumber !== undefined && !hasCol) {
    valid.set('col', endColumn);
    hasCol = true;
  }
  const linesDiffer = endLineNumber !== undefined && valid.get('line') !== endLine;
  if ((!hasLine || linesDiffer) && hasColumn) deleteColumns(valid);
  if (hasLine && endLineNumber !== undefined && endLineNumber < (lineNumber ?? 0)) {
    valid.delete('line');
    valid.delete('endline');
  }
  if (hasCol && endColumnNumber !== undefined && endColumnNumber < (colNumber ?? 0)) deleteColumns(valid);
  return valid;
}

function deleteColumns(properties: Map<string, string>): void {
  properties.delete('col');
  properties.delete('endcolumn');
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** .NET `int.TryParse`: optional surrounding whitespace and sign, 32-bit range. */
function parseInt32(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = dotnetTrim(text);
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= INT32_MIN && value <= INT32_MAX ? value : undefined;
}
