// Every benchmark at a tiny size, so that none of them rots: each must finish
// and print its ratio last. Nothing here looks at a time or a ratio's value.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const tiny = ['--scale', '0.01', '--runs', '1', '--no-warmup'];

function runScript(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(benchDir, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ratioLine = (name: string) => new RegExp(`^${name} ratio (\\d+(\\.\\d+)?) \\(.+\\)$`);

describe('benchmarks at a tiny size', () => {
  for (const name of ['step-overhead', 'logs', 'startup', 'scheduling', 'cache', 'server']) {
    it(`${name} completes and prints its ratio last`, async () => {
      const { code, stdout, stderr } = await runScript(`${name}.ts`, tiny);
      assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr}`);
      const last = stdout.trimEnd().split('\n').at(-1) ?? '';
      assert.match(last, ratioLine(name));
    });
  }

  it('bench/run.ts runs a named benchmark, prints the table and saves the results', async () => {
    const resultsDir = await mkdtemp(path.join(tmpdir(), 'gantry-bench-smoke-'));
    try {
      const { code, stdout, stderr } = await runScript('run.ts', ['scheduling', ...tiny, '--results-dir', resultsDir]);
      assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr}`);
      assert.match(stdout, /\| benchmark +\| measure +\| value +\| target +\| met +\|/);
      assert.match(stdout, /\| scheduling +\| gantry \/ ideal schedule \(shell script\) +\|/);
      const files = (await readdir(resultsDir)).sort();
      assert.ok(files.includes('latest.json'), files.join(', '));
      assert.ok(!files.some((file) => file.endsWith('.tmp')), files.join(', '));
      const latest = JSON.parse(await readFile(path.join(resultsDir, 'latest.json'), 'utf8')) as {
        machine: { cpuModel: string; cores: number; memoryGiB: number; node: string; os: string };
        results: { name: string; ratio: number; metrics: unknown[] }[];
      };
      assert.equal(latest.machine.node, process.version);
      assert.ok(latest.machine.cores >= 1 && latest.machine.memoryGiB > 0 && latest.machine.os && latest.machine.cpuModel);
      assert.deepEqual(latest.results.map((r) => r.name), ['scheduling']);
      assert.equal(typeof latest.results[0]?.ratio, 'number');
      assert.equal(files.length, 2, `latest.json and one timestamped file: ${files.join(', ')}`);
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });

  it('a benchmark refuses a bad option', async () => {
    const { code, stderr } = await runScript('startup.ts', ['--scale', 'big']);
    assert.equal(code, 2);
    assert.match(stderr, /--scale expects a positive number/);
  });
});
