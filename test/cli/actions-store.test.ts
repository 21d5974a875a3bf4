import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runGantry } from '../support/cli.ts';
import { gantryRun, workflowRepo } from '../support/run.ts';

describe('gantry actions add and list, and offline runs from the store', () => {
  it('stores a local action under its reference, lists it, and runs it offline', async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'gantry-store-'));
    const env = { XDG_CACHE_HOME: cache };
    const source = path.join(cache, 'hello');
    await mkdir(source);
    await writeFile(
      path.join(source, 'action.yml'),
      [
        'name: hello',
        'inputs:',
        '  who: { default: world }',
        'outputs:',
        '  greeting:',
        '    value: ${{ steps.g.outputs.greeting }}',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - id: g',
        '      shell: bash',
        '      run: echo "greeting=hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"',
        '',
      ].join('\n'),
    );
    const repo = await workflowRepo({
      'ci.yml': `
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - id: h
                uses: acme/hello@v1
                with:
                  who: store
              - run: echo "got \${{ steps.h.outputs.greeting }}"
      `,
    });
    try {
      const before = await gantryRun(repo, [], env);
      assert.equal(before.code, 1);
      assert.match(before.stdout, /cannot fetch "acme\/hello@v1" .*gantry actions add acme\/hello@v1 --from PATH/);

      const added = await runGantry(['actions', 'add', 'acme/hello@v1', '--from', source], { env });
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /acme\/hello@v1 .* stored in /);
      const listed = await runGantry(['actions', 'list'], { env });
      assert.match(listed.stdout, /^acme\/hello@v1\t/m);

      const after = await gantryRun(repo, [], env);
      assert.equal(after.code, 0, after.stdout);
      assert.match(after.stdout, /got hello store/);

      const bad = await runGantry(['actions', 'add', 'not-a-reference', '--from', source], { env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /not an action reference/);
    } finally {
      await repo.remove();
      await rm(cache, { recursive: true, force: true });
    }
  });
});
