// GitHub's `shell:` semantics for Linux runners, as actions/runner implements them
// (ScriptHandler.cs and ScriptHandlerHelpers.cs).

export class ShellError extends Error {
  override name = 'ShellError';
}

export interface ResolvedShell {
  /** The command line that runs the script file at `scriptPath`. argv[0] is the path `which` found. */
  argv: (scriptPath: string) => string[];
  /** The script file's extension, with its dot; '' for custom shells the runner does not know. */
  extension: string;
  /** The program as named (`bash`, `python3`, `perl`); what a user installs. */
  program: string;
  /** The runner's `shell:` log line: the program's path and the argument template, e.g. `/usr/bin/bash -e {0}`. */
  template: string;
}

export interface ShellOptions {
  /** The program's path on the PATH the step will see, or null when it is not there. */
  which(name: string): string | null;
}

interface Keyword {
  /** The runner's argument template; `{0}` is the script path. */
  args: string;
  extension: string;
}

const shKeyword: Keyword = { args: '-e {0}', extension: '.sh' };

const keywords = new Map<string, Keyword>([
  ['bash', { args: '--noprofile --norc -e -o pipefail {0}', extension: '.sh' }],
  ['sh', shKeyword],
  ['python', { args: '{0}', extension: '.py' }],
  ['pwsh', { args: `-command ". '{0}'"`, extension: '.ps1' }],
  // A Gantry extension, not GitHub's: `shell: node` runs the script with Node.js.
  ['node', { args: '{0}', extension: '.js' }],
]);

const windowsOnly = new Map<string, string>([
  ['powershell', 'Windows PowerShell runs only on Windows runners; use `shell: pwsh` (PowerShell 7) on Linux'],
  ['cmd', 'cmd runs only on Windows runners; use `shell: bash` or `shell: sh` on Linux'],
]);

const installHints = new Map<string, string>([
  ['bash', 'install bash (apt-get install bash)'],
  ['sh', 'install a POSIX shell (apt-get install dash)'],
  ['python', 'install Python 3 (apt-get install python3)'],
  ['python3', 'install Python 3 (apt-get install python3)'],
  ['pwsh', 'install PowerShell 7 (https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux)'],
  ['node', 'install Node.js (https://nodejs.org)'],
  ['perl', 'install Perl (apt-get install perl)'],
]);

/** Resolves a step's `shell:` (undefined or '' for the default) to the command line that runs its script. */
export function resolveShell(shell: string | undefined, options: ShellOptions): ResolvedShell {
  if (shell === undefined || shell === '') return defaultShell(options);
  const { program, args } = splitProgram(shell);
  const windowsReason = windowsOnly.get(program);
  if (windowsReason !== undefined) throw new ShellError(`shell '${shell}': ${windowsReason}`);
  const keyword = keywords.get(program);
  const template = args !== '' ? args : keyword?.args;
  if (template === undefined) {
    throw new ShellError(
      `shell '${shell}' is neither a built-in (bash, sh, python, pwsh, node) nor a template: ` +
        `a custom shell needs {0} where the script path goes, e.g. 'perl {0}'`,
    );
  }
  return build(shell, program, template, keyword?.extension ?? '', options);
}

/**
 * What the runner writes to the script file: for pwsh it stops on the first error and passes on the
 * exit code of the last native command; every other shell gets the script unchanged.
 */
export function scriptFileContent(script: string, extension: string): string {
  if (extension !== '.ps1') return script;
  return [
    `$ErrorActionPreference = 'stop'`,
    script,
    'if ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }',
  ].join('\n');
}

function defaultShell(options: ShellOptions): ResolvedShell {
  // The runner uses sh's arguments (`-e {0}`) with bash when bash is on PATH, so `set -o pipefail` is off.
  const program = ['bash', 'sh'].find((name) => options.which(name) !== null);
  if (program === undefined) {
    throw new ShellError(`the default shell is bash or sh, and neither is on PATH; ${installHints.get('bash')}`);
  }
  return build('(default)', program, shKeyword.args, shKeyword.extension, options);
}

/** The runner splits at the first space only: the program is everything before it. */
function splitProgram(shell: string): { program: string; args: string } {
  const space = shell.indexOf(' ');
  if (space < 0) return { program: shell, args: '' };
  return { program: shell.slice(0, space), args: shell.slice(space + 1).trimStart() };
}

function build(shell: string, program: string, args: string, extension: string, options: ShellOptions): ResolvedShell {
  const placed = placeholderArguments(shell, args);
  const found = locate(shell, program, options);
  return {
    argv: (scriptPath) => [found.path, ...placed.map((argument) => argument.split(placeholder).join(scriptPath))],
    extension,
    program: found.program,
    template: `${found.path} ${args}`,
  };
}

function locate(shell: string, program: string, options: ShellOptions): { program: string; path: string } {
  if (program === '') throw new ShellError(`shell '${shell}' names no program before its arguments`);
  const path = options.which(program);
  if (path !== null) return { program, path };
  // GitHub's runners have `python`; many Linux systems only have `python3`.
  const python3 = program === 'python' ? options.which('python3') : null;
  if (python3 !== null) return { program: 'python3', path: python3 };
  const hint = installHints.get(program) ?? `install ${program} or put it on PATH`;
  throw new ShellError(`shell '${shell}': ${program} is not on PATH; ${hint}`);
}

// Stands for the script path while the template is split; no argument can contain a NUL.
const placeholder = '\0';

/**
 * The template's arguments with `{0}` marked. The runner formats the template with .NET's
 * String.Format (so `{{` and `}}` are literal braces and any other brace is an error) and then splits
 * it as .NET's Process does on Unix. Gantry splits before inserting the path, so a script path with
 * spaces stays one argument; for other paths the result is the same.
 */
function placeholderArguments(shell: string, template: string): string[] {
  if (!template.includes('{0}')) {
    throw new ShellError(`shell '${shell}': a custom shell template needs {0} where the script path goes, e.g. 'perl {0}'`);
  }
  const formatted = template.replace(/\{\{|\}\}|\{0\}|[{}]/g, (token) => {
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    if (token === '{0}') return placeholder;
    throw new ShellError(
      `shell '${shell}': {0} is the only placeholder a shell template may have; write a literal { or } as {{ or }}`,
    );
  });
  return splitArguments(formatted);
}

/**
 * Splits an argument string as .NET's Process does on Unix (the runner passes the formatted template
 * as one string): blanks separate arguments, double quotes group, `\"` is a literal quote, backslashes
 * are literal except before a quote, and `""` inside quotes is a literal quote. Single quotes are ordinary.
 */
function splitArguments(text: string): string[] {
  const results: string[] = [];
  let index = 0;
  while (index < text.length) {
    while (isBlank(text[index])) index++;
    if (index >= text.length) break;
    const next = readArgument(text, index);
    results.push(next.argument);
    index = next.end;
  }
  return results;
}

function readArgument(text: string, start: number): { argument: string; end: number } {
  let argument = '';
  let inQuotes = false;
  let index = start;
  while (index < text.length) {
    const backslashes = countBackslashes(text, index);
    if (backslashes > 0) {
      index += backslashes;
      if (text[index] !== '"') {
        argument += '\\'.repeat(backslashes);
      } else {
        argument += '\\'.repeat(Math.floor(backslashes / 2));
        if (backslashes % 2 === 1) {
          argument += '"';
          index++;
        }
      }
      continue;
    }
    const char = text[index]!;
    if (char === '"') {
      if (inQuotes && text[index + 1] === '"') {
        argument += '"';
        index++;
      } else {
        inQuotes = !inQuotes;
      }
      index++;
      continue;
    }
    if (isBlank(char) && !inQuotes) break;
    argument += char;
    index++;
  }
  return { argument, end: index };
}

function countBackslashes(text: string, start: number): number {
  let end = start;
  while (text[end] === '\\') end++;
  return end - start;
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}
