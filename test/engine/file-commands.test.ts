import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeyValueFile, parsePathFile, prependPaths, validateEnvEntries } from '../../src/engine/file-commands.ts';
import type { KeyValueFileCommand } from '../../src/engine/file-commands.ts';

const lines = (...content: string[]) => content.map((line) => `${line}\n`).join('');

function entriesOf(content: string, command: KeyValueFileCommand = 'GITHUB_OUTPUT'): Array<readonly [string, string]> {
  const result = parseKeyValueFile(content, command);
  assert.deepEqual(result.errors, [], 'expected no error');
  return result.entries;
}

function errorOf(content: string, command: KeyValueFileCommand = 'GITHUB_OUTPUT'): string {
  const { errors } = parseKeyValueFile(content, command);
  assert.equal(errors.length, 1, 'expected one error');
  return errors[0] ?? '';
}

describe('NAME=value lines', () => {
  it('reads the docs examples', () => {
    assert.deepEqual(entriesOf('action_state=yellow\n', 'GITHUB_ENV'), [['action_state', 'yellow']]);
    assert.deepEqual(entriesOf('SELECTED_COLOR=green\n'), [['SELECTED_COLOR', 'green']]);
  });

  it('keeps everything after the first = as the value', () => {
    assert.deepEqual(entriesOf(lines('MY_KEY==abc', 'MY_KEY_2=def=ghi', 'MY_KEY_3=jkl=', 'SPACED = a b ')), [
      ['MY_KEY', '=abc'],
      ['MY_KEY_2', 'def=ghi'],
      ['MY_KEY_3', 'jkl='],
      ['SPACED ', ' a b '],
    ]);
  });

  it('accepts an empty value and a last line without a line break', () => {
    assert.deepEqual(entriesOf('EMPTY=\nLAST=1'), [['EMPTY', ''], ['LAST', '1']]);
  });

  it('skips empty lines and keeps repeated names in order', () => {
    assert.deepEqual(entriesOf(lines('', 'A=1', '', 'A=2', '')), [['A', '1'], ['A', '2']]);
  });

  it('accepts an empty name, as the runner does', () => {
    assert.deepEqual(entriesOf('=value\n'), [['', 'value']]);
  });

  it('keeps a << that is not followed by a delimiter in the value', () => {
    assert.deepEqual(entriesOf(lines('MY_KEY_5=abc << def', 'SHIFT=1 <<')), [
      ['MY_KEY_5', 'abc << def'],
      ['SHIFT', '1 <<'],
    ]);
  });

  it('returns nothing for an empty file', () => {
    assert.deepEqual(parseKeyValueFile('', 'GITHUB_STATE'), { entries: [], errors: [] });
  });
});

describe('NAME<<DELIMITER heredocs', () => {
  it('reads the docs example for a multiline value', () => {
    const json = '{\n  "slideshow": {\n    "title": "Sample Slide Show"\n  }\n}';
    assert.deepEqual(entriesOf(`JSON_RESPONSE<<EOF\n${json}\nEOF\n`, 'GITHUB_ENV'), [['JSON_RESPONSE', json]]);
  });

  it('reads a random base64 delimiter, which may hold =', () => {
    const delimiter = 'khkIhPxsVA==';
    assert.deepEqual(entriesOf(lines(`MY_OUTPUT<<${delimiter}`, 'line one', 'a=b', delimiter, 'NEXT=1')), [
      ['MY_OUTPUT', 'line one\na=b'],
      ['NEXT', '1'],
    ]);
  });

  it('keeps empty lines and near-delimiter lines in the value', () => {
    const content = lines('MY_KEY_1<<EOF', 'hello', '', 'three', '', 'EOF', 'MY_KEY_2<<EOF', 'hello=two', 'EOF')
      + lines('MY_KEY_3<<EOF', ' EOF', 'EOF', 'MY_KEY_4<<EOF', 'EOF EOF', 'EOF');
    assert.deepEqual(entriesOf(content), [
      ['MY_KEY_1', 'hello\n\nthree\n'],
      ['MY_KEY_2', 'hello=two'],
      ['MY_KEY_3', ' EOF'],
      ['MY_KEY_4', 'EOF EOF'],
    ]);
  });

  it('reads an empty value', () => {
    assert.deepEqual(entriesOf(lines('MY_KEY<<EOF', 'EOF')), [['MY_KEY', '']]);
  });

  it('accepts the delimiter as the last line without a line break', () => {
    assert.deepEqual(entriesOf('K<<EOF\nv\nEOF'), [['K', 'v']]);
  });

  it('accepts NAME=<<DELIMITER, with blanks, and trims the name', () => {
    assert.deepEqual(entriesOf(lines('MY_KEY_6=    <<EOF', 'white space test', 'EOF', 'MY_KEY_7 <<=EOF=', 'abc', '=EOF=')), [
      ['MY_KEY_6', 'white space test'],
      ['MY_KEY_7', 'abc'],
    ]);
  });

  for (const delimiter of ['=EOF', 'EO==F', 'EOF<<', '<<EOF', '++EOF', 'EOF//', '<<//++==', 'Xhh+qp+Y6iM=', '5tdblQajc/b+EGBZXo0w']) {
    it(`accepts the end marker ${delimiter}`, () => {
      const content = lines(`K1<<${delimiter}`, 'hello', 'one', delimiter, `K2<<${delimiter}`, `${delimiter} ${delimiter}`, delimiter);
      assert.deepEqual(entriesOf(content), [['K1', 'hello\none'], ['K2', `${delimiter} ${delimiter}`]]);
    });
  }

  it('tolerates CRLF line breaks, keeping them inside the value', () => {
    assert.deepEqual(entriesOf('A=1\r\nB<<EOF\r\nx\r\ny\r\nEOF\r\nC=3\r\n', 'GITHUB_ENV'), [['A', '1'], ['B', 'x\r\ny'], ['C', '3']]);
  });

  it('ignores a UTF-8 byte order mark', () => {
    assert.deepEqual(entriesOf('\uFEFFA=1\n'), [['A', '1']]);
  });
});

describe('errors', () => {
  it('refuses a heredoc whose delimiter never comes', () => {
    assert.equal(
      errorOf(lines('A=1', 'B<<EOF', 'x', 'EOF '), 'GITHUB_ENV'),
      "Unable to process file command 'env' successfully (GITHUB_ENV, line 2): Invalid value. Matching delimiter not found 'EOF'",
    );
    assert.match(errorOf('MY_KEY<<EOF line one line two line three EOF'), /Matching delimiter not found 'EOF line one/);
  });

  it('refuses a heredoc whose last line has no line break', () => {
    assert.equal(
      errorOf('MY_OUTPUT<<EOF\nline one\nline two EOF'),
      "Unable to process file command 'output' successfully (GITHUB_OUTPUT, line 3): Invalid value. EOF marker missing new line.",
    );
  });

  it('refuses an empty heredoc name or delimiter', () => {
    for (const line of ['<<EOF', 'NAME<<', '  <<EOF', '=<<EOF']) {
      assert.equal(
        errorOf(`${line}\nEOF\n`, 'GITHUB_STATE'),
        `Unable to process file command 'state' successfully (GITHUB_STATE, line 1): Invalid format '${line}'. Name must not be empty and delimiter must not be empty`,
      );
    }
  });

  it('refuses a line with neither = nor <<', () => {
    assert.equal(
      errorOf(lines('A=1', '', 'JUST_A_NAME'), 'GITHUB_ENV'),
      "Unable to process file command 'env' successfully (GITHUB_ENV, line 3): Invalid format 'JUST_A_NAME'",
    );
  });

  it('refuses an = before a <<DELIMITER (an injected name)', () => {
    const title = 'Issue 999:  Better handling for the `=` character';
    const content = lines(`PREFIX_${title}<<khkIhPxsVA==`, 'RandomDataThatJustHappensToContainAnEquals=Character', 'khkIhPxsVA==');
    assert.match(errorOf(content), /\(GITHUB_OUTPUT, line 1\): Invalid format 'PREFIX_Issue 999/);
  });

  it('keeps the entries before the error and reads nothing after it', () => {
    const result = parseKeyValueFile(lines('A=1', 'B<<EOF', 'unterminated'), 'GITHUB_OUTPUT');
    assert.deepEqual(result.entries, [['A', '1']]);
    const stopped = parseKeyValueFile(lines('A=1', 'broken', 'C=3'), 'GITHUB_OUTPUT');
    assert.deepEqual(stopped.entries, [['A', '1']]);
    assert.equal(stopped.errors.length, 1);
  });
});

describe('validateEnvEntries', () => {
  it('refuses NODE_OPTIONS in any case and keeps the rest', () => {
    const { entries } = parseKeyValueFile(lines('A=1', 'NODE_OPTIONS=--require x', 'node_options=y', 'B=2'), 'GITHUB_ENV');
    const error = "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.";
    assert.deepEqual(validateEnvEntries(entries), { entries: [['A', '1'], ['B', '2']], errors: [error, error] });
  });

  it('passes other names through', () => {
    assert.deepEqual(validateEnvEntries([['NODE_ENV', 'test']]), { entries: [['NODE_ENV', 'test']], errors: [] });
  });
});

describe('GITHUB_PATH', () => {
  it('reads one path a line, skipping empty lines only', () => {
    assert.deepEqual(parsePathFile('$HOME/.local/bin\n\n/opt/a\r\n/opt/b\r  \n'), ['$HOME/.local/bin', '/opt/a', '/opt/b', '  ']);
    assert.deepEqual(parsePathFile(''), []);
    assert.deepEqual(parsePathFile('\uFEFF/x\n'), ['/x']);
  });

  it('puts the most recently added path first', () => {
    assert.equal(prependPaths('/usr/bin:/bin', ['/opt/a', '/opt/b'], ':'), '/opt/b:/opt/a:/usr/bin:/bin');
  });

  it('moves a path added again to the front', () => {
    assert.equal(prependPaths('/usr/bin', ['/a', '/b', '/a'], ':'), '/a:/b:/usr/bin');
  });

  it('adds no separator to an empty PATH and leaves PATH alone without additions', () => {
    assert.equal(prependPaths('', ['/a'], ':'), '/a');
    assert.equal(prependPaths('/usr/bin', [], ':'), '/usr/bin');
  });

  it('does not prepend what PATH already starts with', () => {
    assert.equal(prependPaths('/b:/a:/usr/bin', ['/a', '/b'], ':'), '/b:/a:/usr/bin');
  });

  it('uses the platform separator by default', () => {
    assert.equal(prependPaths('x', ['y']), process.platform === 'win32' ? 'y;x' : 'y:x');
  });
});
