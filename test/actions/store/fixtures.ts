// Action repositories for the store's tests, as bare repositories under `root/<owner>/<repo>.git`.

import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRepo, type TempRepo } from '../../support/git-repo.ts';

const run = promisify(execFile);

export const compositeAction = (description: string) => `name: Hello
description: ${description}
runs:
  using: composite
  steps:
    - run: echo hello
      shell: bash
`;

export const nodeAction = (name: string) => `name: ${name}
description: A node action
runs:
  using: node20
  main: index.js
`;

export const brokenAction = `name: Broken
description: No shell
runs:
  using: composite
  steps:
    - run: echo no shell
`;

export interface ServedRepositories {
  /** acme/hello: composite at the root, node under greet/, broken/, a Dockerfile-only folder. */
  hello: { work: TempRepo; bare: string; first: string; second: string };
  /** acme/node-action: a node action at the root; its server refuses unadvertised commits. */
  node: { work: TempRepo; bare: string; first: string; middle: string; second: string };
  remove(): Promise<void>;
}

async function bare(work: TempRepo, root: string, name: string): Promise<string> {
  const target = path.join(root, `${name}.git`);
  await mkdir(path.dirname(target), { recursive: true });
  await run('git', ['clone', '-q', '--bare', work.dir, target]);
  return target;
}

/**
 * acme/hello: commit `first` (tag v1, annotated; branch release/v2), commit `second` (branch main),
 * served with uploadpack.allowAnySHA1InWant. acme/node-action: `first` (tag v1), `middle`, `second` (main),
 * served without it.
 */
export async function createServedRepositories(root: string): Promise<ServedRepositories> {
  const hello = await createRepo({
    'action.yml': compositeAction('first'),
    'greet/action.yml': nodeAction('Greet'),
    'greet/index.js': 'console.log("hi");\n',
    'broken/action.yml': brokenAction,
    'container/Dockerfile': 'FROM alpine:3.20\n',
  });
  const helloFirst = await hello.git('rev-parse', 'HEAD');
  await hello.git('tag', '-a', 'v1', '-m', 'v1');
  await hello.git('branch', 'release/v2');
  await hello.write('action.yml', compositeAction('second'));
  const helloSecond = await hello.commit('second');
  const helloBare = await bare(hello, root, 'acme/hello');
  await run('git', ['-C', helloBare, 'config', 'uploadpack.allowAnySHA1InWant', 'true']);

  const node = await createRepo({ 'action.yml': nodeAction('Node one'), 'index.js': 'console.log(1);\n' });
  const nodeFirst = await node.git('rev-parse', 'HEAD');
  await node.git('tag', 'v1');
  await node.write('action.yml', nodeAction('Node middle'));
  const nodeMiddle = await node.commit('middle, on no branch tip or tag');
  await node.write('action.yml', nodeAction('Node two'));
  const nodeSecond = await node.commit('second');
  const nodeBare = await bare(node, root, 'acme/node-action');

  return {
    hello: { work: hello, bare: helloBare, first: helloFirst, second: helloSecond },
    node: { work: node, bare: nodeBare, first: nodeFirst, middle: nodeMiddle, second: nodeSecond },
    async remove() {
      await hello.remove();
      await node.remove();
    },
  };
}
