import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.ts';
import { createFileSink } from '../../src/logs/file-sink.ts';

const root = mkdtempSync(path.join(tmpdir(), 'gantry-file-sink-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('file sink', () => {
  it('keeps every line of jobs that finish before their files exist, one file a job, and close waits for all of them', async () => {
    const logDir = path.join(root, 'run-1');
    const sink = createFileSink(logDir);
    const at = Date.parse('2026-11-28T12:00:00.000Z');
    const jobs = Array.from({ length: 50 }, (_, i) => `ci.yml#job_${i}#0`);
    // All of it synchronously, as a fast run does: no folder can have been made before the steps end.
    for (const [i, job] of jobs.entries()) {
      sink.listener({ type: 'job-queued', job, workflowFile: '.github/workflows/ci.yml', workflowName: 'CI', jobId: `job_${i}`, name: `job ${i}`, needs: [], at });
    }
    for (const job of jobs) {
      const events: EngineEvent[] = [
        { type: 'job-started', job, at },
        { type: 'step-started', job, step: 0, name: 'Print', at },
        ...Array.from({ length: 2000 }, (_, n): EngineEvent => ({ type: 'log', job, step: 0, stream: 'stdout', line: `${job} line ${n} ${'x'.repeat(60)}`, at })),
        { type: 'step-finished', job, step: 0, name: 'Print', outcome: 'success', conclusion: 'success', durationMs: 1, at },
        { type: 'job-finished', job, conclusion: 'success', durationMs: 2, at },
      ];
      for (const event of events) sink.listener(event);
    }
    await sink.close();

    assert.equal(readdirSync(path.join(logDir, 'ci')).length, 50);
    for (const [i, job] of jobs.entries()) {
      const lines = readFileSync(path.join(logDir, 'ci', `job_${i}.log`), 'utf8').split('\n');
      assert.equal(lines[0], '2026-11-28T12:00:00.000Z ▶ Print');
      assert.equal(lines.filter((line) => line.includes(`${job} line `)).length, 2000, `every line of ${job}`);
      assert.match(lines.at(-3)!, /◀ success \(outcome success, 1 ms\)$/);
      assert.match(lines.at(-2)!, /Z job success in 2 ms$/);
    }
  });

  it('reports the files it could not write, and keeps writing another run’s', async () => {
    const blocked = path.join(root, 'a-file');
    writeFileSync(blocked, 'not a folder\n');
    // Given as relative paths that are not in their shortest form: their files are still ended and reported at close.
    const unresolved = (folder: string) => `./${path.relative(process.cwd(), path.join(path.dirname(folder), 'x'))}/../${path.basename(folder)}`;
    const broken = createFileSink(unresolved(path.join(blocked, 'run-2')));
    const working = createFileSink(unresolved(path.join(root, 'run-3')));
    const at = Date.parse('2026-11-28T12:00:00.000Z');
    for (const sink of [broken, working]) {
      sink.listener({ type: 'job-queued', job: 'ci.yml#build#0', workflowFile: '.github/workflows/ci.yml', workflowName: 'CI', jobId: 'build', name: 'build', needs: [], at });
      sink.listener({ type: 'step-started', job: 'ci.yml#build#0', step: 0, name: 'Print', at });
      sink.listener({ type: 'log', job: 'ci.yml#build#0', step: 0, stream: 'stdout', line: 'hello', at });
      sink.listener({ type: 'step-finished', job: 'ci.yml#build#0', step: 0, name: 'Print', outcome: 'success', conclusion: 'success', durationMs: 1, at });
      sink.listener({ type: 'job-finished', job: 'ci.yml#build#0', conclusion: 'success', durationMs: 2, at });
      // A line for the job after it finished reopens its file and is appended.
      sink.listener({ type: 'log', job: 'ci.yml#build#0', step: null, stream: 'system', line: 'after the end', at });
    }
    const [brokenFailures, workingFailures] = await Promise.all([broken.close(), working.close()]);

    assert.deepEqual(workingFailures, []);
    assert.equal(brokenFailures.length, 1, brokenFailures.join('\n'));
    assert.match(brokenFailures[0]!, /a-file\/run-2\/ci\/build\.log: ENOTDIR/);
    assert.match(readFileSync(path.join(root, 'run-3', 'ci', 'build.log'), 'utf8'), /Z hello\n.*◀ success.*\n.*job success in 2 ms\n.*Z after the end\n$/);
  });

  it('gives jobs of the same name files of their own', async () => {
    const logDir = path.join(root, 'run-4');
    const sink = createFileSink(logDir);
    const at = Date.parse('2026-11-28T12:00:00.000Z');
    const jobs = ['ci.yml#lint#0', 'ci.yml#test#0', 'ci.yml#test#1'];
    for (const job of jobs) sink.listener({ type: 'job-queued', job, workflowFile: '.github/workflows/ci.yml', workflowName: 'CI', jobId: job.split('#')[1]!, name: 'check', needs: [], at });
    for (const job of jobs) sink.listener({ type: 'log', job, step: null, stream: 'system', line: `from ${job}`, at });
    assert.deepEqual(await sink.close(), []);
    assert.deepEqual(readdirSync(path.join(logDir, 'ci')).sort(), ['check-2.log', 'check-3.log', 'check.log']);
    for (const [file, job] of [['check.log', jobs[0]], ['check-2.log', jobs[1]], ['check-3.log', jobs[2]]] as const) {
      assert.equal(readFileSync(path.join(logDir, 'ci', file), 'utf8'), `2026-11-28T12:00:00.000Z from ${job}\n`);
    }
  });
});
