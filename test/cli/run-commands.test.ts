// File commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY) and
// workflow commands (::group::, annotations, ::debug::, ::stop-commands::) through
// `gantry run`, as GitHub's "Workflow commands for GitHub Actions" describes them.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { gantryRun, jobLines, jobOf, logFiles, stepOf, workflowRepo, type RunOutcome } from '../support/run.ts';

describe('gantry run: commands', { concurrency: true }, () => {
  describe('file and workflow commands', () => {
    let repo: TempRepo;
    let run: RunOutcome;
    before(async () => {
      repo = await workflowRepo({
        'commands.yml': `
          name: Commands
          on: push
          jobs:
            files:
              runs-on: ubuntu-latest
              outputs:
                response: \${{ steps.heredoc.outputs.JSON_RESPONSE }}
              env:
                LEVEL: job
              steps:
                # The multi-line example of GitHub's docs, with printf in place of curl.
                - id: heredoc
                  run: |
                    {
                      echo 'JSON_RESPONSE<<EOF'
                      printf '{\\n  "status": "ok"\\n}\\n'
                      echo EOF
                    } >> "$GITHUB_OUTPUT"
                    echo "single=one line" >> "$GITHUB_OUTPUT"
                - id: set-env
                  run: |
                    echo "GREETING=hello from a file command" >> "$GITHUB_ENV"
                    echo "LEVEL=file" >> "$GITHUB_ENV"
                    {
                      echo 'JSON_RESPONSE<<EOF'
                      printf '[1,\\n 2]\\n'
                      echo EOF
                    } >> "$GITHUB_ENV"
                    echo "NODE_OPTIONS=--require=/nonexistent.js" >> "$GITHUB_ENV"
                    echo "same-step=[\${GREETING:-}]" >> "$GITHUB_OUTPUT"
                    mkdir -p "$RUNNER_TEMP/tools"
                    printf '#!/bin/sh\\necho "mytool says $1"\\n' > "$RUNNER_TEMP/tools/mytool"
                    chmod +x "$RUNNER_TEMP/tools/mytool"
                    echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"
                    echo "same-step-tool=$(command -v mytool || echo missing)" >> "$GITHUB_OUTPUT"
                - id: later
                  run: |
                    echo "greeting=$GREETING" >> "$GITHUB_OUTPUT"
                    echo "greeting-expr=\${{ env.GREETING }}" >> "$GITHUB_OUTPUT"
                    echo "response-lines=$(printf '%s' "$JSON_RESPONSE" | wc -l)" >> "$GITHUB_OUTPUT"
                    echo "response-second=\${{ fromJSON(env.JSON_RESPONSE)[1] }}" >> "$GITHUB_OUTPUT"
                    echo "node-options=[\${NODE_OPTIONS:-}]" >> "$GITHUB_OUTPUT"
                    echo "tool=$(mytool hi)" >> "$GITHUB_OUTPUT"
                    echo "level=$LEVEL" >> "$GITHUB_OUTPUT"
                - id: step-level
                  env:
                    LEVEL: step
                  run: echo "level=$LEVEL" >> "$GITHUB_OUTPUT"
                - id: summary
                  run: |
                    echo "### Build report" >> "$GITHUB_STEP_SUMMARY"
                    echo "- all **good**" >> "$GITHUB_STEP_SUMMARY"
            workflow-commands:
              runs-on: ubuntu-latest
              steps:
                - id: annotate
                  run: |
                    echo "::group::Installing things"
                    echo "inside the group"
                    echo "::endgroup::"
                    echo "::error file=app.py,line=3,col=7,title=Bad thing::something broke"
                    echo "::warning file=lib.py,line=10::look here"
                    echo "::notice::for your information"
                    echo "::debug::only for debugging"
                - id: stopped
                  run: |
                    echo "::stop-commands::pause-1234"
                    echo "::warning::not a command while stopped"
                    echo "::pause-1234::"
                    echo "::warning::a command again"
        `,
      });
      run = await gantryRun(repo);
    });
    after(() => repo.remove());

    const outputs = (job: string, step: string) => stepOf(jobOf(run.report!, job), step).outputs;

    it('succeeds: error annotations and refused GITHUB_ENV names do not fail a step', () => {
      assert.equal(run.code, 0, run.stderr + run.stdout);
    });

    it('reads GITHUB_OUTPUT, multi-line heredoc values included', () => {
      assert.deepEqual(outputs('files', 'heredoc'), { JSON_RESPONSE: '{\n  "status": "ok"\n}', single: 'one line' });
      assert.deepEqual(jobOf(run.report!, 'files').outputs, { response: '{\n  "status": "ok"\n}' });
    });

    it('sets GITHUB_ENV variables for the later steps, not the step that wrote them', () => {
      assert.equal(outputs('files', 'set-env')['same-step'], '[]');
      assert.equal(outputs('files', 'later').greeting, 'hello from a file command');
      assert.equal(outputs('files', 'later')['greeting-expr'], 'hello from a file command');
      // GITHUB_ENV replaces the job's env for later steps; a step's own env still wins.
      assert.equal(outputs('files', 'later').level, 'file');
      assert.equal(outputs('files', 'step-level').level, 'step');
    // A heredoc value keeps its line break, in the process and in env.*.
    assert.equal(outputs('files', 'later')['response-lines'], '1');
    assert.equal(outputs('files', 'later')['response-second'], '2');
    });

    it('refuses NODE_OPTIONS in GITHUB_ENV, with an error', () => {
      assert.equal(outputs('files', 'later')['node-options'], '[]');
      assert.ok(
        jobLines(run.stdout, 'Commands', 'files').some((line) => line.includes("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.")),
        run.stdout,
      );
    });

    it('puts GITHUB_PATH folders on the PATH of later steps', () => {
      assert.equal(outputs('files', 'set-env')['same-step-tool'], 'missing');
      assert.equal(outputs('files', 'later').tool, 'mytool says hi');
    });

    it('keeps GITHUB_STEP_SUMMARY in the report and shows it at the end of the output', () => {
      const files = jobOf(run.report!, 'files');
      const summaryStep = files.steps.findIndex((step) => step.id === 'summary');
      assert.deepEqual(files.summaries, [{ step: summaryStep, markdown: '### Build report\n- all **good**\n' }]);
      const summaries = run.stdout.slice(run.stdout.indexOf('Step summaries'));
      assert.ok(run.stdout.includes('Step summaries'), run.stdout);
      assert.match(summaries, /### Build report\n- all \*\*good\*\*/);
    });

    it('reports ::error, ::warning and ::notice as annotations with their file, line, column and title', () => {
      assert.deepEqual(jobOf(run.report!, 'workflow-commands').annotations, [
        { level: 'error', message: 'something broke', title: 'Bad thing', file: 'app.py', line: 3, col: 7 },
        { level: 'warning', message: 'look here', file: 'lib.py', line: 10 },
        { level: 'notice', message: 'for your information' },
        { level: 'warning', message: 'a command again' },
      ]);
      const lines = jobLines(run.stdout, 'Commands', 'workflow-commands');
      assert.ok(lines.some((line) => line.includes('error app.py:3:7: Bad thing: something broke')), lines.join('\n'));
    });

    it('shows ::group:: as a folded section, in the output and the step log', async () => {
      const lines = jobLines(run.stdout, 'Commands', 'workflow-commands');
      const start = lines.findIndex((line) => line.includes('┌ Installing things'));
      assert.ok(start >= 0, lines.join('\n'));
      assert.match(lines[start + 1]!, /│ \| inside the group$/);
      assert.match(lines[start + 2]!, /└ Installing things$/);
      const log = (await logFiles(run.report!)).get('commands/workflow-commands.log')!;
      assert.match(log, /##\[group\]Installing things\n.* inside the group\n##\[endgroup\]/);
    });

    it('hides ::debug:: lines unless asked for', async () => {
      assert.doesNotMatch(run.stdout, /only for debugging/);
      const logs = [...(await logFiles(run.report!)).values()].join('\n');
      assert.doesNotMatch(logs, /only for debugging/);
    });

    it('ignores commands between ::stop-commands::TOKEN and ::TOKEN::, and shows them as text', () => {
      const lines = jobLines(run.stdout, 'Commands', 'workflow-commands');
      assert.ok(lines.some((line) => line.endsWith('| ::warning::not a command while stopped')), lines.join('\n'));
      assert.equal(stepOf(jobOf(run.report!, 'workflow-commands'), 'stopped').conclusion, 'success');
    });
  });

  describe('::debug::', { concurrency: true }, () => {
    let repo: TempRepo;
    before(async () => {
      repo = await workflowRepo({
        'debug.yml': `
          name: Debug
          on: push
          jobs:
            talk:
              runs-on: ubuntu-latest
              steps:
                - id: s
                  run: |
                    echo "::debug::a debug message"
                    echo "runner-debug=\${RUNNER_DEBUG:-unset}" >> "$GITHUB_OUTPUT"
                    echo "context-debug=\${{ runner.debug }}" >> "$GITHUB_OUTPUT"
        `,
      });
    });
    after(() => repo.remove());

    const shown = (run: RunOutcome) => jobLines(run.stdout, 'Debug', 'talk').some((line) => line.endsWith('| ##[debug]a debug message'));

    it('is hidden by default, and RUNNER_DEBUG is unset', async () => {
      const run = await gantryRun(repo);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(shown(run), false, run.stdout);
      assert.deepEqual(stepOf(jobOf(run.report!, 'talk'), 's').outputs, { 'runner-debug': 'unset', 'context-debug': '' });
    });

    it('is shown with --verbose, with RUNNER_DEBUG=1', async () => {
      const run = await gantryRun(repo, ['--verbose']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(shown(run), true, run.stdout);
      assert.deepEqual(stepOf(jobOf(run.report!, 'talk'), 's').outputs, { 'runner-debug': '1', 'context-debug': '1' });
    });

    it('is shown when the ACTIONS_STEP_DEBUG secret is true', async () => {
      const run = await gantryRun(repo, ['--secret', 'ACTIONS_STEP_DEBUG=true']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(shown(run), true, run.stdout);
    });
  });
});
