import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveShell, scriptFileContent, ShellError } from '../../src/executors/shells.ts';

const script = '/tmp/gantry/step.sh';

/** A PATH holding exactly the named programs, each in /usr/bin. */
function onPath(...programs: string[]) {
  return { which: (name: string) => (programs.includes(name) ? `/usr/bin/${name}` : null) };
}

const everything = onPath('bash', 'sh', 'python', 'python3', 'pwsh', 'node', 'perl', 'ruby');

function shellError(shell: string | undefined, options = everything): string {
  try {
    resolveShell(shell, options);
  } catch (error) {
    assert.ok(error instanceof ShellError, `expected a ShellError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`shell ${String(shell)} resolved`);
}

describe('resolveShell: keywords', () => {
  it('unspecified runs bash with sh arguments (-e, no pipefail) when bash is on PATH', () => {
    for (const shell of [undefined, '']) {
      const resolved = resolveShell(shell, everything);
      assert.deepEqual(resolved.argv(script), ['/usr/bin/bash', '-e', script]);
      assert.equal(resolved.extension, '.sh');
      assert.equal(resolved.program, 'bash');
      assert.equal(resolved.template, '/usr/bin/bash -e {0}');
    }
  });

  it('unspecified falls back to sh without bash', () => {
    const resolved = resolveShell(undefined, onPath('sh'));
    assert.deepEqual(resolved.argv(script), ['/usr/bin/sh', '-e', script]);
    assert.equal(resolved.program, 'sh');
    assert.equal(resolved.extension, '.sh');
  });

  it('bash uses the runner arguments: no profile, no rc, -e and pipefail', () => {
    const resolved = resolveShell('bash', everything);
    assert.deepEqual(resolved.argv(script), ['/usr/bin/bash', '--noprofile', '--norc', '-e', '-o', 'pipefail', script]);
    assert.equal(resolved.extension, '.sh');
    assert.equal(resolved.template, '/usr/bin/bash --noprofile --norc -e -o pipefail {0}');
  });

  it('sh', () => {
    const resolved = resolveShell('sh', everything);
    assert.deepEqual(resolved.argv(script), ['/usr/bin/sh', '-e', script]);
    assert.equal(resolved.extension, '.sh');
  });

  it('python, falling back to python3 when python is absent', () => {
    const python = resolveShell('python', everything);
    assert.deepEqual(python.argv('/t/s.py'), ['/usr/bin/python', '/t/s.py']);
    assert.equal(python.extension, '.py');
    assert.equal(python.program, 'python');
    const python3 = resolveShell('python', onPath('python3'));
    assert.deepEqual(python3.argv('/t/s.py'), ['/usr/bin/python3', '/t/s.py']);
    assert.equal(python3.program, 'python3');
    assert.equal(python3.extension, '.py');
  });

  it('pwsh dot-sources the script from a .ps1 file', () => {
    const resolved = resolveShell('pwsh', everything);
    assert.deepEqual(resolved.argv('/t/s.ps1'), ['/usr/bin/pwsh', '-command', ". '/t/s.ps1'"]);
    assert.equal(resolved.extension, '.ps1');
  });

  it('node (a Gantry extension) runs a .js file', () => {
    const resolved = resolveShell('node', everything);
    assert.deepEqual(resolved.argv('/t/s.js'), ['/usr/bin/node', '/t/s.js']);
    assert.equal(resolved.extension, '.js');
  });

  it('a script path with spaces stays one argument', () => {
    assert.deepEqual(resolveShell('bash', everything).argv('/my dir/s.sh').at(-1), '/my dir/s.sh');
    assert.deepEqual(resolveShell('pwsh', everything).argv('/my dir/s.ps1').at(-1), ". '/my dir/s.ps1'");
  });
});

describe('resolveShell: custom templates', () => {
  it('the first word is the program, the rest the arguments; unknown programs get no extension', () => {
    const resolved = resolveShell('perl {0}', everything);
    assert.deepEqual(resolved.argv('/t/s'), ['/usr/bin/perl', '/t/s']);
    assert.equal(resolved.program, 'perl');
    assert.equal(resolved.extension, '');
    assert.equal(resolved.template, '/usr/bin/perl {0}');
  });

  it('arguments before and after {0}', () => {
    assert.deepEqual(resolveShell('ruby -w {0} --verbose', everything).argv('/t/s'), [
      '/usr/bin/ruby',
      '-w',
      '/t/s',
      '--verbose',
    ]);
  });

  it('a template for a known program keeps its extension', () => {
    const bash = resolveShell('bash -x {0}', everything);
    assert.deepEqual(bash.argv('/t/s.sh'), ['/usr/bin/bash', '-x', '/t/s.sh']);
    assert.equal(bash.extension, '.sh');
    assert.equal(resolveShell('python -u {0}', everything).extension, '.py');
    assert.equal(resolveShell('pwsh -File {0}', everything).extension, '.ps1');
  });

  it('splits like .NET on Unix: double quotes group, single quotes are ordinary, \\" is a quote', () => {
    assert.deepEqual(resolveShell(`perl -e "print 'a b'" {0}`, everything).argv('/s'), [
      '/usr/bin/perl',
      '-e',
      "print 'a b'",
      '/s',
    ]);
    assert.deepEqual(resolveShell(`perl 'a b' {0}`, everything).argv('/s'), ['/usr/bin/perl', "'a", "b'", '/s']);
    assert.deepEqual(resolveShell(`perl a\\"b "x""y" c\\d {0}`, everything).argv('/s'), [
      '/usr/bin/perl',
      'a"b',
      'x"y',
      'c\\d',
      '/s',
    ]);
    assert.deepEqual(resolveShell('perl  \t-w   {0}', everything).argv('/s'), ['/usr/bin/perl', '-w', '/s']);
  });

  it('{0} inside a quoted argument', () => {
    assert.deepEqual(resolveShell(`bash -c "source {0}"`, everything).argv('/t/s'), ['/usr/bin/bash', '-c', 'source /t/s']);
  });

  it('{{ and }} are literal braces, as in String.Format', () => {
    assert.deepEqual(resolveShell('perl -e {{}} {0}', everything).argv('/s'), ['/usr/bin/perl', '-e', '{}', '/s']);
  });

  it('the program is what precedes the first space; more spaces are skipped', () => {
    assert.deepEqual(resolveShell('perl    {0}', everything).argv('/s'), ['/usr/bin/perl', '/s']);
  });
});

describe('resolveShell: errors', () => {
  it('a custom template without {0}', () => {
    assert.match(shellError('perl -w'), /needs \{0\}/);
    assert.match(shellError('perl'), /needs \{0\}/);
  });

  it('placeholders other than {0} and single braces', () => {
    assert.match(shellError('perl {1} {0}'), /\{0\} is the only placeholder/);
    assert.match(shellError('bash -c "f() { x; }; . {0}"'), /write a literal \{ or \} as \{\{ or \}\}/);
  });

  it('Windows-only shells', () => {
    assert.match(shellError('powershell'), /only on Windows.*pwsh/);
    assert.match(shellError('cmd'), /only on Windows/);
    assert.match(shellError('cmd /c {0}'), /only on Windows/);
  });

  it('a missing program names it and what to install', () => {
    const none = onPath();
    assert.match(shellError('bash', none), /bash is not on PATH; install bash/);
    assert.match(shellError('pwsh', none), /pwsh is not on PATH; install PowerShell 7/);
    assert.match(shellError('python', none), /python is not on PATH; install Python 3/);
    assert.match(shellError('node', none), /node is not on PATH; install Node.js/);
    assert.match(shellError('fish {0}', none), /fish is not on PATH; install fish or put it on PATH/);
    assert.match(shellError(undefined, none), /neither is on PATH/);
  });

  it('no program before the arguments', () => {
    assert.match(shellError(' {0}'), /names no program/);
  });

  it('names that are properties of plain objects are not keywords', () => {
    assert.match(shellError('constructor'), /needs \{0\}/);
    assert.match(shellError('toString {0}'), /toString is not on PATH/);
  });
});

describe('scriptFileContent', () => {
  it('wraps pwsh scripts: stop on errors, exit with the last native exit code', () => {
    assert.equal(
      scriptFileContent('Write-Host hi', '.ps1'),
      "$ErrorActionPreference = 'stop'\nWrite-Host hi\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }",
    );
  });

  it('leaves other scripts unchanged', () => {
    for (const extension of ['.sh', '.py', '.js', '']) {
      assert.equal(scriptFileContent('echo hi\n', extension), 'echo hi\n');
    }
  });
});
