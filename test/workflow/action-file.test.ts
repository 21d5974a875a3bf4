import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ActionFileNotFoundError, loadActionFile, parseActionText } from '../../src/workflow/action-file.ts';
import type { ActionRuns, Diagnostic } from '../../src/workflow/types.ts';

function parse(content: string) {
  return parseActionText('action.yml', content);
}

function runsOf(content: string): ActionRuns {
  const loaded = parse(content);
  assert.deepEqual(errors(loaded.diagnostics), []);
  assert.ok(loaded.definition, 'expected a definition');
  return loaded.definition.runs;
}

function errors(diagnostics: Diagnostic[]) {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** `line:col message` of each diagnostic, for compact assertions. */
function located(diagnostics: Diagnostic[]) {
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);
}

const nodeAction = `name: Cache things
description: Restores and saves a cache
runs:
  using: node20
  main: dist/main/index.js
  pre: dist/pre/index.js
  pre-if: runner.os == 'Linux'
  post: dist/post/index.js
`;

const compositeAction = `name: Greet
description: Says hello
inputs:
  who:
    description: Whom to greet
    required: true
  token:
    description: A token
    default: \${{ github.token }}
  style:
    default: plain-\${{ runner.os }}
    deprecationMessage: use format instead
outputs:
  greeting:
    description: What was said
    value: \${{ steps.say.outputs.text }}
runs:
  using: composite
  steps:
    - id: say
      name: Say hello
      if: inputs.token != ''
      run: echo "text=hello \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
      shell: bash
      working-directory: \${{ github.action_path }}
      env:
        STYLE: \${{ inputs.style }}
      continue-on-error: true
    - uses: ./.github/actions/other
      if: \${{ failure() }}
      with:
        message: \${{ steps.say.outputs.text }}
    - run: echo done
      shell: sh
`;

describe('action file: node actions', () => {
  it('reads main, pre and post, keeps pre-if as written and defaults post-if to always()', () => {
    assert.deepEqual(runsOf(nodeAction), {
      using: 'node20',
      main: 'dist/main/index.js',
      pre: 'dist/pre/index.js',
      preIf: "runner.os == 'Linux'",
      post: 'dist/post/index.js',
      postIf: 'always()',
    });
  });

  it('defaults both conditions to always() and reads ${{ }} conditions as their expression', () => {
    const plain = runsOf('name: n\ndescription: d\nruns:\n  using: node24\n  main: index.js\n');
    assert.ok(plain.using === 'node24');
    assert.equal(plain.preIf, 'always()');
    assert.equal(plain.postIf, 'always()');
    const runs = runsOf(
      'name: n\ndescription: d\nruns:\n  using: node20\n  main: a.js\n  post: b.js\n  post-if: ${{ success() }}\n',
    );
    assert.ok(runs.using === 'node20');
    assert.equal(runs.postIf, 'success()');
  });

  it('names the action and keeps its description', () => {
    const definition = parse(nodeAction).definition!;
    assert.equal(definition.file, 'action.yml');
    assert.equal(definition.name, 'Cache things');
    assert.equal(definition.description, 'Restores and saves a cache');
    assert.deepEqual(definition.inputs, []);
    assert.deepEqual(definition.outputs, []);
  });
});

describe('action file: composite actions', () => {
  const loaded = parse(compositeAction);

  it('parses without diagnostics', () => {
    assert.deepEqual(loaded.diagnostics, []);
  });

  it('reads inputs with required, defaults as template values and deprecation messages', () => {
    const [who, token, style] = loaded.definition!.inputs;
    assert.deepEqual(who, { id: 'who', description: 'Whom to greet', required: true, default: undefined, deprecationMessage: undefined });
    assert.equal(token?.required, false);
    assert.deepEqual(token?.default, {
      kind: 'expression',
      expression: 'github.token',
      source: '${{ github.token }}',
      pos: { line: 9, column: 14 },
    });
    assert.equal(style?.default?.kind, 'expression');
    assert.equal(style.default.expression, "format('plain-{0}', runner.os)");
    assert.equal(style.deprecationMessage, 'use format instead');
  });

  it('maps outputs from a step', () => {
    assert.deepEqual(loaded.definition!.outputs, [
      {
        id: 'greeting',
        description: 'What was said',
        value: {
          kind: 'expression',
          expression: 'steps.say.outputs.text',
          source: '${{ steps.say.outputs.text }}',
          pos: { line: 16, column: 12 },
        },
      },
    ]);
  });

  it('models steps with id, name, shell, working-directory, env, with and continue-on-error', () => {
    const runs = loaded.definition!.runs;
    assert.equal(runs.using, 'composite');
    const [say, other, done] = runs.steps;
    assert.equal(runs.steps.length, 3);
    assert.equal(say?.index, 0);
    assert.equal(say.id, 'say');
    assert.deepEqual(say.pos, { line: 20, column: 7 });
    assert.equal(say.name?.kind === 'literal' && say.name.value, 'Say hello');
    assert.equal(say.shell, 'bash');
    assert.equal(say.run?.kind, 'expression');
    assert.equal(say.run.expression, `format('echo "text=hello {0}" >> "$GITHUB_OUTPUT"', inputs.who)`);
    assert.equal(say.workingDirectory?.kind === 'expression' && say.workingDirectory.expression, 'github.action_path');
    assert.equal(say.env?.kind, 'mapping');
    assert.deepEqual(
      say.env.entries.map((e) => [e.key, e.value.kind === 'expression' && e.value.expression]),
      [['STYLE', 'inputs.style']],
    );
    assert.deepEqual(say.continueOnError, { kind: 'literal', value: true, pos: { line: 28, column: 26 } });
    assert.equal(other?.uses, './.github/actions/other');
    assert.equal(other.with?.kind, 'mapping');
    assert.equal(other.with.entries[0]?.key, 'message');
    assert.equal(done?.shell, 'sh');
  });

  it("normalises each step's if with GitHub's implicit success()", () => {
    const runs = loaded.definition!.runs;
    assert.ok(runs.using === 'composite');
    assert.deepEqual(
      runs.steps.map((s) => [s.if, s.ifSource]),
      [
        ["success() && (inputs.token != '')", "inputs.token != ''"],
        ['failure()', '${{ failure() }}'],
        ['success()', undefined],
      ],
    );
  });
});

describe('action file: docker actions', () => {
  it('reads image, entrypoint, args, env and the pre and post entrypoints', () => {
    const runs = runsOf(`name: Lint
description: Lints in a container
inputs:
  path:
    default: .
runs:
  using: docker
  image: Dockerfile
  entrypoint: /lint.sh
  pre-entrypoint: /setup.sh
  post-entrypoint: /cleanup.sh
  args:
    - --path
    - \${{ inputs.path }}
  env:
    LINT_LEVEL: strict
`);
    assert.ok(runs.using === 'docker');
    assert.equal(runs.image, 'Dockerfile');
    assert.equal(runs.entrypoint, '/lint.sh');
    assert.equal(runs.preEntrypoint, '/setup.sh');
    assert.equal(runs.postEntrypoint, '/cleanup.sh');
    assert.equal(runs.preIf, 'always()', 'pre-if defaults to always(), as for JavaScript actions');
    assert.equal(runs.postIf, 'always()');
    const conditioned = runsOf('name: c\nruns:\n  using: docker\n  image: Dockerfile\n  pre-entrypoint: /a\n  pre-if: runner.os == \'Linux\'\n  post-if: failure()\n');
    assert.ok(conditioned.using === 'docker');
    assert.equal(conditioned.preIf, "runner.os == 'Linux'");
    assert.equal(conditioned.postIf, 'failure()');
    assert.deepEqual(
      runs.args.map((arg) => (arg.kind === 'expression' ? `expr:${arg.expression}` : arg.kind === 'literal' && arg.value)),
      ['--path', 'expr:inputs.path'],
    );
    assert.equal(runs.env?.kind, 'mapping');
    assert.equal(runs.env.entries[0]?.key, 'LINT_LEVEL');
  });

  it('has no args when none are written', () => {
    const runs = runsOf('name: d\ndescription: d\nruns:\n  using: docker\n  image: docker://alpine:3.20\n');
    assert.ok(runs.using === 'docker');
    assert.deepEqual(runs.args, []);
    assert.equal(runs.env, undefined);
  });
});

describe('action file: errors, with line and column', () => {
  it('reports an unknown key under runs', () => {
    const loaded = parse('name: n\ndescription: d\nruns:\n  using: node20\n  main: index.js\n  mian: other.js\n');
    assert.deepEqual(located(loaded.diagnostics), ["6:3 error Unexpected value 'mian'"]);
    assert.equal(loaded.diagnostics[0]!.file, 'action.yml');
    assert.match(loaded.diagnostics[0]!.hint ?? '', /action metadata syntax/);
  });

  it('reports a composite run step without shell at the line of the step', () => {
    const loaded = parse(`name: n
description: d
runs:
  using: composite
  steps:
    - run: echo fine
      shell: bash
    - name: no shell
      run: echo missing
`);
    assert.deepEqual(located(loaded.diagnostics), ['8:7 error a `run:` step in a composite action needs `shell:`']);
    assert.match(loaded.diagnostics[0]!.hint ?? '', /shell: bash/);
  });

  it('reports every run step without shell once', () => {
    const loaded = parse('name: n\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: a\n    - run: b\n');
    assert.deepEqual(
      loaded.diagnostics.map((d) => `${d.line}:${d.column}`),
      ['6:7', '7:7'],
    );
  });

  it('reports missing runs and gives no definition', () => {
    const loaded = parse('name: n\ndescription: d\n');
    assert.equal(loaded.definition, undefined);
    assert.deepEqual(located(loaded.diagnostics), ['1:1 error Required property is missing: runs']);
    assert.equal(loaded.diagnostics[0]!.hint, 'add `runs:`');
  });

  it('reports a using that is not a runtime at its value', () => {
    const loaded = parse('name: n\ndescription: d\nruns:\n  using: node10\n  main: index.js\n');
    assert.equal(loaded.definition, undefined);
    assert.deepEqual(located(loaded.diagnostics), ["4:10 error 'node10' is not a runtime for actions"]);
    assert.match(loaded.diagnostics[0]!.hint ?? '', /node20/);
  });

  it('says which key a runtime needs when it is missing', () => {
    const cases: [string, string][] = [
      ['node20', '4:3 error `using: node20` needs `main:`'],
      ['docker', '4:3 error `using: docker` needs `image:`'],
      ['composite', '4:3 error `using: composite` needs `steps:`'],
    ];
    for (const [using, expected] of cases) {
      const loaded = parse(`name: n\ndescription: d\nruns:\n  using: ${using}\n`);
      assert.equal(loaded.definition, undefined);
      assert.deepEqual(located(loaded.diagnostics), [expected]);
    }
    const withPre = parse('name: n\ndescription: d\nruns:\n  using: node20\n  pre: setup.js\n');
    assert.equal(withPre.definition, undefined);
    assert.deepEqual(located(withPre.diagnostics), ['4:3 error Required property is missing: main']);
  });

  it('reports an invalid step condition', () => {
    const loaded = parse(
      'name: n\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: x\n      shell: bash\n      if: secrets.token\n',
    );
    assert.deepEqual(located(errors(loaded.diagnostics)), ["8:11 error Unrecognized named-value: 'secrets'"]);
  });

  it('reports YAML syntax errors and files that are not a mapping', () => {
    const broken = parse('name: n\ndescription: [d\n');
    assert.equal(broken.definition, undefined);
    assert.equal(broken.diagnostics[0]?.rule, 'syntax');
    assert.equal(broken.diagnostics[0]?.line, 3);
    const list = parse('- a\n');
    assert.equal(list.definition, undefined);
    assert.ok(errors(list.diagnostics).length > 0);
  });
});

describe("action file: what GitHub's runner accepts beyond the strict schema", () => {
  it('warns, without failing, about a missing name and description and unknown top-level keys', () => {
    const loaded = parse('runs:\n  using: node20\n  main: index.js\nauthor-url: https://example.com\n');
    assert.deepEqual(errors(loaded.diagnostics), []);
    assert.deepEqual(located(loaded.diagnostics), [
      "4:1 warning Unexpected value 'author-url'",
      '1:1 warning Required property is missing: name',
      '1:1 warning Required property is missing: description',
    ]);
    assert.equal(loaded.definition?.name, 'action.yml');
  });

  it('accepts using in another case, with a warning', () => {
    const loaded = parse('name: n\ndescription: d\nruns:\n  using: Composite\n  steps:\n    - run: echo\n      shell: bash\n');
    assert.deepEqual(located(loaded.diagnostics), ['4:10 warning `using: Composite` is not in lower case']);
    assert.equal(loaded.definition?.runs.using, 'composite');
  });
});

describe('loadActionFile', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gantry-action-file-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, string>) {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
    return dir;
  }

  it('reads action.yml, and names it with the display folder', async () => {
    const dir = await folder('yml', { 'action.yml': nodeAction });
    const loaded = await loadActionFile(dir, '.github/actions/yml');
    assert.equal(loaded.file, path.join('.github/actions/yml', 'action.yml'));
    assert.equal(loaded.definition?.runs.using, 'node20');
  });

  it('reads action.yaml when there is no action.yml', async () => {
    const dir = await folder('yaml', { 'action.yaml': compositeAction });
    const loaded = await loadActionFile(dir);
    assert.equal(loaded.file, path.join(dir, 'action.yaml'));
    assert.equal(loaded.definition?.runs.using, 'composite');
  });

  it('prefers action.yml to action.yaml', async () => {
    const dir = await folder('both', { 'action.yml': nodeAction, 'action.yaml': compositeAction });
    assert.equal((await loadActionFile(dir)).definition?.runs.using, 'node20');
  });

  it('says which folder has neither file', async () => {
    const dir = await folder('none', { 'README.md': '# nothing' });
    await assert.rejects(loadActionFile(dir, 'tools/none'), (error: unknown) => {
      assert.ok(error instanceof ActionFileNotFoundError);
      assert.equal(error.message, 'no action.yml or action.yaml in tools/none');
      return true;
    });
  });
});
