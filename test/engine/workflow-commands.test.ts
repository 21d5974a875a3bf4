import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ProcessedLine, WorkflowCommand, WorkflowCommandParserOptions } from '../../src/engine/workflow-commands.ts';
import { WorkflowCommandParser } from '../../src/engine/workflow-commands.ts';

const DEPRECATED_SET_OUTPUT =
  'The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/';
const DISABLED_SET_ENV =
  'The `set-env` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/';
const INVALID_STOP_TOKEN =
  "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.";

function processOne(line: string, options?: WorkflowCommandParserOptions): ProcessedLine {
  return new WorkflowCommandParser(options).processLine(line);
}

function commandOf(line: string, options?: WorkflowCommandParserOptions): WorkflowCommand | undefined {
  return processOne(line, options).command;
}

function assertPlain(result: ProcessedLine, line: string): void {
  assert.deepEqual(result, { display: line, messages: [], failsStep: false });
}

describe('ordinary output', () => {
  it('passes ordinary lines through for display', () => {
    for (const line of ['hello world', '', 'a :: b', ':single colon:', '::no-closing-separator']) {
      assertPlain(processOne(line), line);
    }
  });

  it('treats unknown commands as ordinary output', () => {
    assertPlain(processOne('::unknown-command::data'), '::unknown-command::data');
    assertPlain(processOne('::internal-set-repo-path::x'), '::internal-set-repo-path::x');
  });

  it('needs the command name right after the opening ::', () => {
    assertPlain(processOne(':: warning::x'), ':: warning::x');
    assertPlain(processOne('x ::warning::y'), 'x ::warning::y');
  });
});

describe('add-mask', () => {
  it('registers the value and shows nothing (docs example)', () => {
    assert.deepEqual(processOne('::add-mask::Mona The Octocat'), {
      command: { kind: 'add-mask', value: 'Mona The Octocat' },
      display: null,
      messages: [],
      failsStep: false,
    });
  });

  it('unescapes %0A, %0D and %25 in the value', () => {
    assert.deepEqual(commandOf('::add-mask::line1%0Aline2%0D%25%250A'), { kind: 'add-mask', value: 'line1\nline2\r%%0A' });
  });

  it('warns about an empty or blank value', () => {
    for (const line of ['::add-mask::', '::add-mask::   ']) {
      assert.deepEqual(processOne(line), {
        command: undefined,
        display: null,
        messages: [{ level: 'warning', message: "Can't add secret mask for empty string in ##[add-mask] command." }],
        failsStep: false,
      });
    }
  });

  it('echoes a masked line when echo is on', () => {
    assert.equal(processOne('::add-mask::secret', { echo: true }).display, '::add-mask::***');
  });
});

describe('groups', () => {
  it('parses the docs example', () => {
    const parser = new WorkflowCommandParser();
    assert.deepEqual(parser.processLine('::group::My title').command, { kind: 'group', title: 'My title' });
    assert.equal(parser.processLine('::group::My title').display, null);
    assertPlain(parser.processLine('Inside group'), 'Inside group');
    assert.deepEqual(parser.processLine('::endgroup::').command, { kind: 'endgroup' });
  });

  it('keeps the title as written and unescapes it', () => {
    assert.deepEqual(commandOf('::group::  spaced %25 title  '), { kind: 'group', title: '  spaced % title  ' });
  });
});

describe('annotations', () => {
  for (const level of ['notice', 'warning', 'error'] as const) {
    it(`parses the docs ${level} example`, () => {
      assert.deepEqual(processOne(`::${level} file=app.js,line=1,col=5,endColumn=7::Missing semicolon`), {
        command: {
          kind: 'annotation',
          annotation: { level, message: 'Missing semicolon', file: 'app.js', line: 1, col: 5, endColumn: 7 },
        },
        display: null,
        messages: [],
        failsStep: false,
      });
    });
  }

  it('reads every property the runner knows, in any case', () => {
    assert.deepEqual(commandOf('::ERROR FILE=src/a.ts,Line=3,ENDLINE=3,Col=2,endcolumn=9,TITLE=Type error::Bad'), {
      kind: 'annotation',
      annotation: { level: 'error', message: 'Bad', title: 'Type error', file: 'src/a.ts', line: 3, endLine: 3, col: 2, endColumn: 9 },
    });
  });

  it('accepts an annotation without properties or message', () => {
    assert.deepEqual(commandOf('::warning::'), { kind: 'annotation', annotation: { level: 'warning', message: '' } });
  });

  it('unescapes property values with %3A and %2C, but not the message', () => {
    const command = commandOf('::error title=a%3Ab%2Cc%25d%0Ae,file=C%3A\\x.ts::x%3Ay%2Cz%0Aw');
    assert.deepEqual(command, {
      kind: 'annotation',
      annotation: { level: 'error', message: 'x%3Ay%2Cz\nw', title: 'a:b,c%d\ne', file: 'C:\\x.ts' },
    });
  });

  it('ends the properties at the first :: (the rest is the message)', () => {
    assert.deepEqual(commandOf('::error title=Failed::step::details'), {
      kind: 'annotation',
      annotation: { level: 'error', message: 'step::details', title: 'Failed' },
    });
  });

  it('splits properties on commas and names on the first =', () => {
    assert.deepEqual(commandOf('::notice title=a=b,,file=f::m'), {
      kind: 'annotation',
      annotation: { level: 'notice', message: 'm', title: 'a=b', file: 'f' },
    });
  });

  it('drops properties without a value and names with a leading blank', () => {
    assert.deepEqual(commandOf('::warning title=,file=a.js, line=2::m'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'm', file: 'a.js' },
    });
  });

  it('lets a later duplicate property win', () => {
    assert.deepEqual(commandOf('::warning title=first,Title=second::m'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'm', title: 'second' },
    });
  });

  it('uses endLine as line when only endLine is given', () => {
    assert.deepEqual(commandOf('::warning endLine=4::m'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'm', line: 4, endLine: 4 },
    });
  });

  it('uses endColumn as col when only endColumn is given', () => {
    assert.deepEqual(commandOf('::warning line=1,endColumn=8::m'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'm', line: 1, col: 8, endColumn: 8 },
    });
  });

  it('drops columns without a line', () => {
    assert.deepEqual(commandOf('::warning col=1,endColumn=2::m'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'm' },
    });
  });

  it('drops columns when the annotation spans several lines', () => {
    assert.deepEqual(commandOf('::warning line=1,endLine=2,col=1,endColumn=2::m'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'm', line: 1, endLine: 2 },
    });
  });

  it('drops an end line before its start line', () => {
    assert.deepEqual(commandOf('::error line=5,endLine=2::m'), { kind: 'annotation', annotation: { level: 'error', message: 'm' } });
  });

  it('drops an end column before its start column', () => {
    assert.deepEqual(commandOf('::error line=5,col=9,endColumn=3::m'), {
      kind: 'annotation',
      annotation: { level: 'error', message: 'm', line: 5 },
    });
  });

  it('ignores positions that are not 32-bit integers', () => {
    assert.deepEqual(commandOf('::error line=abc,endLine=99999999999::m'), {
      kind: 'annotation',
      annotation: { level: 'error', message: 'm' },
    });
    assert.deepEqual(commandOf('::error line= 7 ::m'), { kind: 'annotation', annotation: { level: 'error', message: 'm', line: 7 } });
  });

  it('does not echo annotations even when echo is on', () => {
    assert.equal(processOne('::error::boom', { echo: true }).display, null);
  });
});

describe('debug', () => {
  it('parses the docs example', () => {
    assert.deepEqual(processOne('::debug::Set the Octocat variable'), {
      command: { kind: 'debug', message: 'Set the Octocat variable' },
      display: null,
      messages: [],
      failsStep: false,
    });
  });
});

describe('command syntax', () => {
  it('allows blanks before the command', () => {
    assert.deepEqual(commandOf('   \t::debug::indented'), { kind: 'debug', message: 'indented' });
  });

  it('treats command names case-insensitively', () => {
    assert.deepEqual(commandOf('::Group::G'), { kind: 'group', title: 'G' });
  });

  it('reads the legacy ##[command] form anywhere in the line', () => {
    assert.deepEqual(commandOf('prefix ##[warning]legacy %5D%3B message'), {
      kind: 'annotation',
      annotation: { level: 'warning', message: 'legacy ]; message' },
    });
    assert.deepEqual(commandOf('##[error file=a.js;line=3]broken'), {
      kind: 'annotation',
      annotation: { level: 'error', message: 'broken', file: 'a.js', line: 3 },
    });
    assertPlain(processOne('##[unknown]text'), '##[unknown]text');
  });
});

describe('stop-commands', () => {
  it('ignores commands until the token comes back (docs example)', () => {
    const parser = new WorkflowCommandParser();
    const stopMarker = randomUUID();
    const stop = parser.processLine(`::stop-commands::${stopMarker}`);
    assert.deepEqual(stop, {
      command: { kind: 'stop-commands', token: stopMarker, maskToken: true },
      display: `::stop-commands::${stopMarker}`,
      messages: [],
      failsStep: false,
    });
    assert.equal(parser.stopped, true);

    const ignored = '::warning:: This is a warning message, but the warning is not rendered because the stop-commands command has been used.';
    assertPlain(parser.processLine(ignored), ignored);
    assertPlain(parser.processLine('::add-mask::not-a-secret'), '::add-mask::not-a-secret');
    assertPlain(parser.processLine('::stop-commands::other'), '::stop-commands::other');

    assert.deepEqual(parser.processLine(`::${stopMarker}::`), {
      command: { kind: 'resume-commands', token: stopMarker },
      display: `::${stopMarker}::`,
      messages: [],
      failsStep: false,
    });
    assert.equal(parser.stopped, false);
    const rendered = parser.processLine('::warning:: This is a warning message, but the warning is rendered because the stop-commands command has been used.');
    assert.equal(rendered.command?.kind, 'annotation');
    assertPlain(parser.processLine(`::${stopMarker}::`), `::${stopMarker}::`);
  });

  it('resumes on the token in any case, whatever follows it', () => {
    const parser = new WorkflowCommandParser();
    parser.processLine('::stop-commands::Pause42');
    assert.equal(parser.processLine('::PAUSE42 x=y::ignored').command?.kind, 'resume-commands');
  });

  it('asks to mask only tokens longer than six characters', () => {
    assert.deepEqual(commandOf('::stop-commands::abcdef'), { kind: 'stop-commands', token: 'abcdef', maskToken: false });
    assert.deepEqual(commandOf('::stop-commands::abcdefg'), { kind: 'stop-commands', token: 'abcdefg', maskToken: true });
  });

  it('refuses empty, pause-logging and command-name tokens', () => {
    for (const token of ['', 'pause-logging', 'PAUSE-LOGGING', 'warning', 'Add-Mask', 'stop-commands']) {
      const parser = new WorkflowCommandParser();
      assert.deepEqual(parser.processLine(`::stop-commands::${token}`), {
        display: null,
        messages: [{ level: 'error', message: INVALID_STOP_TOKEN }],
        failsStep: true,
      });
      assert.equal(parser.stopped, false, token);
      assert.equal(parser.processLine('::debug::still processed').command?.kind, 'debug');
    }
  });

  it('accepts any token when unsecure stop tokens are allowed', () => {
    const parser = new WorkflowCommandParser({ allowUnsecureStopCommandTokens: true });
    assert.deepEqual(parser.processLine('::stop-commands::pause-logging').command, {
      kind: 'stop-commands',
      token: 'pause-logging',
      maskToken: true,
    });
    assert.equal(parser.processLine('::pause-logging::').command?.kind, 'resume-commands');
  });
});

describe('echo', () => {
  it('echoes command lines between ::echo::on and ::echo::off', () => {
    const parser = new WorkflowCommandParser();
    assert.deepEqual(parser.processLine('::echo::on'), {
      command: { kind: 'echo', enabled: true },
      display: null,
      messages: [],
      failsStep: false,
    });
    assert.equal(parser.processLine('::group::Title').display, '::group::Title');
    assert.equal(parser.processLine('::endgroup::').display, '::endgroup::');
    assert.equal(parser.processLine('::debug::not echoed').display, null);
    assert.equal(parser.processLine('::notice::not echoed').display, null);
    assert.deepEqual(parser.processLine('::echo::off'), {
      command: { kind: 'echo', enabled: false },
      display: '::echo::off',
      messages: [],
      failsStep: false,
    });
    assert.equal(parser.processLine('::group::Title').display, null);
  });

  it('accepts blanks and any case in the value', () => {
    assert.deepEqual(commandOf('::echo:: ON '), { kind: 'echo', enabled: true });
  });

  it('fails the step on any other value, showing the line', () => {
    assert.deepEqual(processOne('::echo::maybe'), {
      display: null,
      messages: [
        { level: 'error', message: "Unable to process command '::echo::maybe' successfully." },
        { level: 'error', message: "Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: 'maybe'." },
      ],
      failsStep: true,
    });
    assert.deepEqual(processOne('::echo::').messages[1], { level: 'error', message: "Value cannot be null. (Parameter 'value')" });
  });
});

describe('deprecated set-output and save-state', () => {
  it('still sets the output, with the deprecation warning', () => {
    assert.deepEqual(processOne('::set-output name=SELECTED_COLOR::green'), {
      command: { kind: 'set-output', name: 'SELECTED_COLOR', value: 'green' },
      display: null,
      messages: [{ level: 'warning', message: DEPRECATED_SET_OUTPUT }],
      failsStep: false,
    });
  });

  it('still saves state, with the deprecation warning', () => {
    const result = processOne('::save-state name=processID::12345');
    assert.deepEqual(result.command, { kind: 'save-state', name: 'processID', value: '12345' });
    assert.match(result.messages[0]?.message ?? '', /^The `save-state` command is deprecated/);
  });

  it('unescapes the value', () => {
    assert.deepEqual(commandOf('::set-output name=multi::a%0Ab%25'), { kind: 'set-output', name: 'multi', value: 'a\nb%' });
  });

  it('fails the step without a name', () => {
    assert.deepEqual(processOne('::set-output::green'), {
      display: null,
      messages: [
        { level: 'warning', message: DEPRECATED_SET_OUTPUT },
        { level: 'error', message: "Unable to process command '::set-output::green' successfully." },
        { level: 'error', message: "Required field 'name' is missing in ##[set-output] command." },
      ],
      failsStep: true,
    });
    assert.equal(processOne('::save-state name=::x').messages[2]?.message, "Required field 'name' is missing in ##[save-state] command.");
  });
});

describe('disabled set-env and add-path', () => {
  it('refuses set-env and fails the step', () => {
    assert.deepEqual(processOne('::set-env name=FOO::bar'), {
      display: null,
      messages: [
        { level: 'error', message: "Unable to process command '::set-env name=FOO::bar' successfully." },
        { level: 'error', message: DISABLED_SET_ENV },
      ],
      failsStep: true,
    });
  });

  it('refuses add-path and fails the step', () => {
    const result = processOne('::add-path::/opt/bin');
    assert.equal(result.failsStep, true);
    assert.equal(result.messages[1]?.message, DISABLED_SET_ENV.replace('`set-env`', '`add-path`'));
  });

  it('works again when unsecure commands are allowed', () => {
    const options = { allowUnsecureCommands: true };
    assert.deepEqual(commandOf('::set-env name=FOO::bar', options), { kind: 'set-env', name: 'FOO', value: 'bar' });
    assert.deepEqual(commandOf('::add-path::/opt/bin', options), { kind: 'add-path', path: '/opt/bin' });
    assert.equal(processOne('::set-env::bar', options).messages[1]?.message, "Required field 'name' is missing in ##[set-env] command.");
    assert.equal(processOne('::add-path::', options).messages[1]?.message, "Value cannot be null. (Parameter 'path')");
  });

  it('still refuses NODE_OPTIONS through set-env, without failing the step', () => {
    assert.deepEqual(processOne('::set-env name=node_options::--inspect', { allowUnsecureCommands: true }), {
      command: undefined,
      display: null,
      messages: [{ level: 'error', message: "Can't update NODE_OPTIONS environment variable using ::set-env:: command." }],
      failsStep: false,
    });
  });
});

describe('problem matcher commands', () => {
  it('parses add-matcher and remove-matcher', () => {
    assert.deepEqual(commandOf('::add-matcher::.github/matcher.json'), { kind: 'add-matcher', file: '.github/matcher.json' });
    assert.deepEqual(commandOf('::remove-matcher owner=eslint::'), { kind: 'remove-matcher', owner: 'eslint' });
    assert.deepEqual(commandOf('::remove-matcher::m.json'), { kind: 'remove-matcher', file: 'm.json' });
  });

  it('warns about missing or conflicting arguments', () => {
    assert.equal(processOne('::add-matcher::').messages[0]?.message, 'File path must be specified.');
    assert.match(processOne('::remove-matcher owner=a::b.json').messages[0]?.message ?? '', /Both values cannot be set/);
    assert.match(processOne('::remove-matcher::').messages[0]?.message ?? '', /must be specified/);
  });
});
