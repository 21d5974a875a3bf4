import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogModel, stripAnsi } from '../../web/src/log/log-model.ts';

const line = (step: number | null, text: string) => ({ step, text, at: '2026-01-01T00:00:00.000Z', stream: 'stdout' });

test('lines are numbered across the job and sorted into their step sections', () => {
  const model = new LogModel();
  model.append([line(null, 'set up'), line(0, 'a'), line(1, 'b')]);
  model.append([line(0, 'c')]);
  assert.deepEqual(model.lines.map((entry) => entry.n), [1, 2, 3, 4]);
  assert.deepEqual(model.sections.get(0), [1, 3]);
  assert.deepEqual(model.sections.get(1), [2]);
  assert.equal(model.indexOfLine(4), 3);
  assert.equal(model.indexOfLine(5), -1);
});

test('::group:: and ##[group] sections fold to their header until opened', () => {
  const model = new LogModel();
  model.append([line(0, 'before'), line(0, '::group::Install'), line(0, 'one'), line(0, 'two'), line(0, '::endgroup::'), line(0, '##[group]Build'), line(0, 'three'), line(0, '##[endgroup]'), line(0, 'after')]);
  const texts = (open: Set<number>) =>
    model.rows([0], new Set([0]), open).map((row) => (row.kind === 'section' ? `[${row.step}]` : model.lines[row.index]?.text));
  assert.deepEqual(texts(new Set()), ['[0]', 'before', 'Install', 'Build', 'after']);
  assert.deepEqual(texts(new Set([1])), ['[0]', 'before', 'Install', 'one', 'two', 'Build', 'after']);
  assert.equal(model.groupSizes.get(1), 2);
  assert.equal(model.groupSizes.get(5), 1);
  assert.equal(model.lines[1]?.kind, 'group');
});

test('a closed step shows only its header; steps come in the given order, the job section first', () => {
  const model = new LogModel();
  model.append([line(1, 'b'), line(null, 'setup'), line(0, 'a')]);
  const rows = model.rows([null, 0, 1], new Set([1]), new Set());
  assert.deepEqual(
    rows.map((row) => (row.kind === 'section' ? `[${row.step}]` : model.lines[row.index]?.text)),
    ['[null]', '[0]', '[1]', 'b'],
  );
});

test('search ignores case and ANSI colours and finds lines inside closed groups', () => {
  const model = new LogModel();
  model.append([line(0, '::group::g'), line(0, 'the \u001b[31mNeedle\u001b[0m here'), line(0, '::endgroup::'), line(0, 'no')]);
  assert.deepEqual(model.search('needle here'), [1]);
  assert.deepEqual(model.search(''), []);
  assert.equal(stripAnsi('\u001b[1;32mok\u001b[0m'), 'ok');
});

test('error and warning markers are classified and stripped from the text', () => {
  const model = new LogModel();
  model.append([line(0, '##[error]Process completed with exit code 1.'), line(0, '::warning file=a.ts,line=3::careful')]);
  assert.equal(model.lines[0]?.kind, 'error');
  assert.equal(model.lines[0]?.text, 'Process completed with exit code 1.');
  assert.equal(model.lines[1]?.kind, 'warning');
  assert.equal(model.lines[1]?.text, 'careful');
});

test('100,000 lines append and lay out in one pass each', () => {
  const model = new LogModel();
  const batch = Array.from({ length: 100_000 }, (_, index) => line(index % 10, index % 1000 === 0 ? '::group::chunk' : `line ${index}`));
  model.append(batch);
  const rows = model.rows([null, ...Array.from({ length: 10 }, (_, index) => index)], new Set([3]), new Set());
  assert.equal(model.lines.length, 100_000);
  // Ten step headers (the empty job section has none) and step 3's 10,000 lines; groups live in step 0 only.
  assert.equal(rows.length, 10 + 10_000);
  assert.equal(model.groupSizes.size, 100);
  assert.equal(model.groupSizes.get(0), 99);
});
