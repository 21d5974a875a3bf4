import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../web/src/api/types.ts';
import { layoutJobs, MAX_LEGS_SHOWN } from '../../web/src/components/graph-layout.ts';

let nextId = 1;
function job(jobId: string, needs: string[] = [], matrix: Record<string, unknown> | null = null): Job {
  const id = nextId++;
  const name = matrix ? `${jobId} (${Object.values(matrix).join(', ')})` : jobId;
  return { id, key: `ci.yml#${jobId}#${id}`, jobId, name, matrix, needs, status: 'queued', conclusion: null, startedAt: null, finishedAt: null, durationMs: null, steps: [] };
}

test('jobs are laid out left to right along their needs, matrix legs grouped into one node', () => {
  const jobs = [job('lint'), job('test', ['lint'], { os: 'linux' }), job('test', ['lint'], { os: 'mac' }), job('deploy', ['test'])];
  const graph = layoutJobs(jobs);
  const byId = new Map(graph.nodes.map((node) => [node.jobId, node]));
  assert.deepEqual([...byId.keys()].sort(), ['deploy', 'lint', 'test']);
  assert.equal(byId.get('test')?.legs.length, 2);
  assert.equal(byId.get('test')?.name, 'test');
  const x = (id: string) => byId.get(id)?.x ?? NaN;
  assert.ok(x('lint') < x('test') && x('test') < x('deploy'), 'each stage sits right of what it needs');
  assert.deepEqual(graph.edges.map((edge) => `${edge.from}->${edge.to}`).sort(), ['lint->test', 'test->deploy']);
  assert.ok(graph.edges.every((edge) => edge.points.length >= 2));
});

test('a large matrix stays one node of bounded height', () => {
  const legs = Array.from({ length: 200 }, (_, index) => job('build', [], { n: index }));
  const small = layoutJobs(legs.slice(0, MAX_LEGS_SHOWN));
  const large = layoutJobs(legs);
  assert.equal(large.nodes.length, 1);
  assert.ok((large.nodes[0]?.height ?? 0) <= (small.nodes[0]?.height ?? 0) + 28);
});

test('needs on jobs that are not in the run draw no edge', () => {
  const graph = layoutJobs([job('only', ['missing'])]);
  assert.equal(graph.edges.length, 0);
});

test('a wide and deep graph lays out without overlapping nodes, every edge pointing right', () => {
  const jobs: Job[] = [];
  for (let stage = 0; stage < 6; stage++) {
    for (let index = 0; index < 8; index++) {
      const needs = stage === 0 ? [] : [`s${stage - 1}j${index}`, `s${stage - 1}j${(index + 3) % 8}`];
      jobs.push(job(`s${stage}j${index}`, needs));
    }
  }
  const graph = layoutJobs(jobs);
  assert.equal(graph.nodes.length, 48);
  for (const [index, a] of graph.nodes.entries()) {
    for (const b of graph.nodes.slice(index + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.jobId} and ${b.jobId} overlap`);
    }
  }
  const byId = new Map(graph.nodes.map((node) => [node.jobId, node]));
  for (const edge of graph.edges) assert.ok((byId.get(edge.from)?.x ?? 0) < (byId.get(edge.to)?.x ?? 0), `${edge.from} -> ${edge.to}`);
  assert.ok(graph.width <= 6 * (240 + 64) + 64, 'one column per stage');
});
