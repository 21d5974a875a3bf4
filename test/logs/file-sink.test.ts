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
  it('keeps every line of jobs whose steps finish before their folders exist, and close waits for all of them', async () => {
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

    const folders = readdirSync(path.join(logDir, 'ci'));
    assert.equal(folders.length, 50);
    for (const [i, job] of jobs.entries()) {
      const folder = path.join(logDir, 'ci', `job_${i}`);
      const step = readFileSync(path.join(folder, '01-Print.log'), 'utf8').split('\n');
      assert.equal(step[0], '2026-11-28T12:00:00.000Z ▶ Print');
      assert.equal(step.filter((line) => line.includes(`${job} line `)).length, 2000, `every line of ${job}`);
      assert.match(step.at(-2)!, /◀ success \(outcome success, 1 ms\)$/);
      assert.match(readFileSync(path.join(folder, 'job.log'), 'utf8'), /job success in 2 ms\n$/);
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
    assert.equal(brokenFailures.length, 2, brokenFailures.join('\n'));
    assert.match(brokenFailures[0]!, /a-file\/run-2\/ci\/build\/01-Print\.log: ENOTDIR/);
    assert.match(brokenFailures[1]!, /a-file\/run-2\/ci\/build\/job\.log: ENOTDIR/);
    const folder = path.join(root, 'run-3', 'ci', 'build');
    assert.match(readFileSync(path.join(folder, '01-Print.log'), 'utf8'), /Z hello\n/);
    assert.match(readFileSync(path.join(folder, 'job.log'), 'utf8'), /job success in 2 ms\n.*Z after the end\n$/);
  });
});
