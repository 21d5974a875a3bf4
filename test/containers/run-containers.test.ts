// `gantry run` with a real Podman: service containers for a job on the host, a `container:` job whose
// steps run inside its image and reach its services by name, `docker://` steps, cancellation, and the
// error when there is no engine. Every job name carries a marker, to list exactly what a run left.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../support/cli.ts';
import { leftovers, startPodman, type TestPodman } from '../support/podman.ts';
import { gantryRun, jobOf, scratchDir, startGantryRun, stepOf, waitFor, workflowRepo, type StartedRun } from '../support/run.ts';
import type { TempRepo } from '../support/git-repo.ts';

let podman: TestPodman;
const repos: TempRepo[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
const started: StartedRun[] = [];

before(async () => {
  podman = await startPodman();
});

after(async () => {
  for (const run of started) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await Promise.all([...repos.map((repo) => repo.remove()), ...cleanups.map((cleanup) => cleanup())]);
  await podman?.stop();
});

function marker(): string {
  return `ctr-${randomBytes(4).toString('hex')}`;
}

async function repoWith(workflow: string): Promise<TempRepo> {
  const repo = await workflowRepo({ 'ci.yml': workflow });
  repos.push(repo);
  return repo;
}

describe('gantry run with containers', { concurrency: true }, () => {
  it('runs a host job against service containers, with their ports in job.services, and removes them after', async () => {
    const name = marker();
    const repo = await repoWith(`
      on: push
      jobs:
        web:
          name: ${name}
          runs-on: ubuntu-latest
          services:
            app:
              image: ${podman.images.httpd}
              ports: ['80']
              options: --health-cmd "wget -qO- http://localhost/" --health-interval 200ms --health-retries 100
          steps:
            - id: fetch
              run: |
                echo "body=$(curl -sf http://127.0.0.1:\${{ job.services.app.ports['80'] }}/)" >> "$GITHUB_OUTPUT"
                echo "workspace=$GITHUB_WORKSPACE" >> "$GITHUB_OUTPUT"
    `);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'container']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /app service is healthy\./);
    const fetch = stepOf(jobOf(result.report!, 'web'), 'fetch');
    assert.equal(fetch.outputs.body, 'hello from a service');
    assert.equal(existsSync(fetch.outputs.workspace!), false, 'the workspace is removed');
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('finds the engine through DOCKER_HOST and, with --services auto (the default), runs services as containers', async () => {
    const name = marker();
    const repo = await repoWith(`
      on: push
      jobs:
        auto:
          name: ${name}
          runs-on: ubuntu-latest
          services:
            app: ${podman.images.httpd}
          steps:
            - run: echo "service container \${{ job.services.app.id }}"
    `);
    const result = await gantryRun(repo, [], { DOCKER_HOST: podman.url });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Creating the job network github_network_[0-9a-f]{32} on Podman Engine/);
    assert.match(result.stdout, /service container [0-9a-f]{64}/);
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it("fails the job when a service never becomes healthy, showing the service's log, and removes it", async () => {
    const name = marker();
    const repo = await repoWith(`
      on: push
      jobs:
        web:
          name: ${name}
          runs-on: ubuntu-latest
          services:
            app:
              image: ${podman.images.httpd}
              options: --health-cmd "exit 3" --health-interval 100ms --health-retries 2
          steps:
            - run: echo "the first step must not run"
    `);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'container']);
    assert.equal(result.code, 1);
    assert.equal(jobOf(result.report!, 'web').conclusion, 'failure');
    assert.match(result.stdout, /service "app" .* failed to initialize, app service is unhealthy: the health command `exit 3` failed 2 times in a row/);
    assert.match(result.stdout, /Last lines of its log:/);
    assert.match(result.stdout, /httpd starting on port 80/);
    assert.doesNotMatch(result.stdout, /the first step must not run/);
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('warns that a container: job cannot reach services run natively, and still runs it', async () => {
    const name = marker();
    const repo = await repoWith(`
      on: push
      jobs:
        inside:
          name: ${name}
          runs-on: ubuntu-latest
          container:
            image: ${podman.images.busybox}
          services:
            cache:
              image: redis:7
          steps:
            - run: echo "ran inside"
    `);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'native']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Warning: this job runs in a container, but its services run on this machine \(native services\)/);
    assert.match(result.stdout, /--services container/);
    assert.match(result.stdout, /ran inside/);
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('runs the steps of a container: job inside its image, with its env, services by name, file commands, and a docker:// step', async () => {
    const name = marker();
    const shared = await scratchDir();
    cleanups.push(() => shared.remove());
    await writeFile(path.join(shared.dir, 'note.txt'), 'from a volume\n');
    // A container just attached to the network may not resolve names at once: Podman's DNS server
    // reloads as containers join, and under load it answered a fresh docker:// step's query empty
    // (once in CI), and the job container's for five seconds (once in the full suite on 2 cores).
    // A step gets twenty seconds to reach the service by name, as a user's would retry.
    const fetchApp = 'for i in $(seq 40); do wget -qO- http://app/ && break; sleep 0.5; done';
    const repo = await repoWith(`
      on: push
      jobs:
        inside:
          name: ${name}
          runs-on: ubuntu-latest
          container:
            image: ${podman.images.busybox}
            env:
              FROM_CONTAINER: yes-indeed
            volumes:
              - ${shared.dir}:/data:ro
            options: --hostname job-box
          services:
            app:
              image: ${podman.images.httpd}
              # Without a health check the first step may run before the server listens, as on GitHub.
              options: --health-cmd "wget -qO- http://localhost/" --health-interval 200ms --health-retries 100
          steps:
            - id: probe
              run: |
                echo "env=$FROM_CONTAINER" >> "$GITHUB_OUTPUT"
                echo "host=$(hostname)" >> "$GITHUB_OUTPUT"
                echo "page=$(${fetchApp})" >> "$GITHUB_OUTPUT"
                echo "shell=$0" >> "$GITHUB_OUTPUT"
                echo "pwd-is-workspace=$([ "$(pwd)" = "$GITHUB_WORKSPACE" ] && echo yes)" >> "$GITHUB_OUTPUT"
                echo "network=\${{ job.container.network }}" >> "$GITHUB_OUTPUT"
                echo "busybox=$(readlink /bin/sh)" >> "$GITHUB_OUTPUT"
                echo "volume=$(cat /data/note.txt)" >> "$GITHUB_OUTPUT"
                echo "SET_BY_STEP=carried" >> "$GITHUB_ENV"
            - id: next
              run: echo "carried=$SET_BY_STEP" >> "$GITHUB_OUTPUT"
            - id: image
              uses: docker://${podman.images.busybox}
              with:
                entrypoint: sh
                args: -c "echo from-docker-step; echo page=$(${fetchApp}) >> $GITHUB_OUTPUT; echo who=$INPUT_WHO >> $GITHUB_OUTPUT"
                who: input-value
    `);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'container']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const job = jobOf(result.report!, 'inside');
    const probe = stepOf(job, 'probe').outputs;
    assert.equal(probe.env, 'yes-indeed');
    assert.equal(probe.host, 'job-box');
    assert.equal(probe.page, 'hello from a service');
    assert.equal(probe.busybox, 'busybox', 'the step ran in the busybox image, not on the host');
    assert.equal(probe['pwd-is-workspace'], 'yes');
    assert.equal(probe.volume, 'from a volume');
    assert.match(probe.shell ?? '', /\.sh$/);
    assert.match(probe.network ?? '', /^github_network_[0-9a-f]{32}$/);
    assert.equal(stepOf(job, 'next').outputs.carried, 'carried');
    assert.deepEqual(stepOf(job, 'image').outputs, { page: 'hello from a service', who: 'input-value' });
    assert.match(result.stdout, /from-docker-step/);
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('runs Docker actions: a prebuilt docker:// image with args from inputs, and one built from its Dockerfile with a post entrypoint', async () => {
    const name = marker();
    const repo = await workflowRepo(
      {
        'ci.yml': `
          on: push
          jobs:
            act:
              name: ${name}
              runs-on: ubuntu-latest
              steps:
                - id: prebuilt
                  uses: ./actions/prebuilt
                  with:
                    who: world
                - id: built
                  uses: ./actions/built
                  with:
                    who: builder
        `,
      },
      {
        'actions/prebuilt/action.yml': [
          'name: prebuilt',
          'description: runs a prebuilt image',
          'inputs:',
          '  who: { description: who, required: true }',
          'runs:',
          '  using: docker',
          `  image: docker://${podman.images.busybox}`,
          '  entrypoint: sh',
          '  args: ["-c", "echo greeting=hello ${{ inputs.who }} >> $GITHUB_OUTPUT"]',
          '',
        ].join('\n'),
        'actions/built/action.yml': [
          'name: built',
          'description: builds its image',
          'inputs:',
          '  who: { description: who, required: true }',
          'runs:',
          '  using: docker',
          '  image: Dockerfile',
          '  post-entrypoint: /post.sh',
          '',
        ].join('\n'),
        'actions/built/Dockerfile': `FROM ${podman.images.busybox}\nCOPY entry.sh post.sh /\nRUN ["chmod", "+x", "/post.sh"]\nENTRYPOINT ["sh", "/entry.sh"]\n`,
        'actions/built/entry.sh': 'echo "made=in the built image for $INPUT_WHO" >> "$GITHUB_OUTPUT"\n',
        'actions/built/post.sh': '#!/bin/sh\necho "post entrypoint ran for $INPUT_WHO"\n',
      },
    );
    repos.push(repo);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'container']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const job = jobOf(result.report!, 'act');
    assert.deepEqual(stepOf(job, 'prebuilt').outputs, { greeting: 'hello world' });
    assert.deepEqual(stepOf(job, 'built').outputs, { made: 'in the built image for builder' });
    assert.match(result.stdout, /post entrypoint ran for builder/);
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('runs a Docker action’s pre-entrypoint before the job’s first step, under pre-if, its state reaching main and post', async () => {
    const name = marker();
    const scratch = await scratchDir();
    cleanups.push(scratch.remove);
    const cache = scratch.dir;
    const env = { XDG_CACHE_HOME: cache };
    // The pre and post entrypoints get the main args, as on GitHub: the script tells its phase by $0.
    const script = [
      'case "$0" in */ash) phase=post ;; /bin/sh) phase=pre ;; *) phase=main ;; esac',
      'echo "$phase: who=$INPUT_WHO state=${STATE_from_pre:--} first-step-ran=$(test -f first-step.txt && echo yes || echo no)"',
      'if [ "$phase" = pre ]; then echo from_pre=saved-in-pre >> "$GITHUB_STATE"; fi',
    ].join('\n');
    const action = (preIf?: string) =>
      [
        'name: phases',
        'inputs:',
        '  who: { default: nobody }',
        'runs:',
        '  using: docker',
        `  image: docker://${podman.images.busybox}`,
        '  entrypoint: sh',
        `  args: ["-c", ${JSON.stringify(script)}]`,
        '  pre-entrypoint: /bin/sh',
        ...(preIf ? [`  pre-if: ${preIf}`] : []),
        '  post-entrypoint: /bin/ash',
        '',
      ].join('\n');
    for (const [id, preIf] of [['phases', undefined], ['never', "env.NEVER == 'yes'"]] as const) {
      const folder = path.join(cache, id);
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'action.yml'), action(preIf));
      const added = await runGantry(['actions', 'add', `acme/${id}@v1`, '--from', folder], { env });
      assert.equal(added.code, 0, added.stderr);
    }
    const repo = await repoWith(`
      on: push
      jobs:
        act:
          name: ${name}
          runs-on: ubuntu-latest
          steps:
            - run: touch first-step.txt
            - name: Phases
              uses: acme/phases@v1
              with:
                who: \${{ github.event_name }}
            - uses: acme/never@v1
    `);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'container'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const steps = jobOf(result.report!, 'act').steps.map((step) => `${step.name}:${step.conclusion}`);
    assert.deepEqual(steps.slice(0, 2), ['Pre Phases:success', 'Pre Run acme/never@v1:skipped']);
    assert.match(result.stdout, /pre: who=push state=- first-step-ran=no/);
    assert.match(result.stdout, /main: who=push state=saved-in-pre first-step-ran=yes/);
    assert.match(result.stdout, /post: who=push state=saved-in-pre first-step-ran=yes/);
    assert.equal(result.stdout.match(/pre: who=/g)?.length, 1, 'the pre phase of the action whose pre-if is false does not run');
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it("runs a JavaScript action inside the job container with this machine's Node.js mounted in", async () => {
    const name = marker();
    const repo = await workflowRepo(
      {
        'ci.yml': `
          on: push
          jobs:
            js:
              name: ${name}
              runs-on: ubuntu-latest
              container: ${podman.images.glibc}
              steps:
                - id: hello
                  uses: ./actions/hello
                  with:
                    who: container
        `,
      },
      {
        'actions/hello/action.yml': 'name: hello\ndescription: says hello\ninputs:\n  who: { description: who }\nruns:\n  using: node20\n  main: index.js\n',
        'actions/hello/index.js': [
          "const fs = require('node:fs');",
          "const inside = fs.existsSync('/bin/busybox') ? 'in the image' : 'on the host';",
          'fs.appendFileSync(process.env.GITHUB_OUTPUT, `said=hello ${process.env.INPUT_WHO} ${inside}\\n`);',
          '',
        ].join('\n'),
      },
    );
    repos.push(repo);
    const result = await gantryRun(repo, ['--container-engine', podman.url, '--services', 'container']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(stepOf(jobOf(result.report!, 'js'), 'hello').outputs, { said: 'hello container in the image' });
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('removes service and job containers when the run is cancelled with Ctrl-C', async () => {
    const name = marker();
    const repo = await repoWith(`
      on: push
      jobs:
        long:
          name: ${name}
          runs-on: ubuntu-latest
          container: ${podman.images.busybox}
          services:
            app:
              image: ${podman.images.httpd}
          steps:
            - run: echo "waiting now"; echo "$GITHUB_WORKSPACE" > workspace-path; sleep 1000
    `);
    const run = await startGantryRun(repo, ['--container-engine', podman.url, '--services', 'container']);
    started.push(run);
    let output = '';
    run.child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the step to start', () => output.includes('| waiting now'), 60_000);
    assert.equal((await leftovers(podman.engine, name)).length, 3, 'the job container, the service and the network run');
    run.child.kill('SIGINT');
    const result = await run.done;
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(jobOf(result.report!, 'long').conclusion, 'cancelled');
    assert.deepEqual(await leftovers(podman.engine, name), []);
  });

  it('fails the jobs that need an engine when there is none, with where it looked, and runs the others', async () => {
    const repo = await repoWith(`
      on: push
      jobs:
        boxed:
          runs-on: ubuntu-latest
          container: ${podman.images.busybox}
          steps:
            - run: echo "must not run"
        step:
          runs-on: ubuntu-latest
          steps:
            - uses: docker://${podman.images.busybox}
        services:
          runs-on: ubuntu-latest
          services:
            app: ${podman.images.httpd}
          steps:
            - run: echo "must not run either"
        plain:
          runs-on: ubuntu-latest
          steps:
            - run: echo "plain job ran"
    `);
    const socket = '/nonexistent/gantry-test/podman.sock';
    const result = await gantryRun(repo, ['--container-engine', socket, '--services', 'container']);
    assert.equal(result.code, 1);
    const report = result.report!;
    assert.deepEqual(
      ['boxed', 'step', 'services', 'plain'].map((id) => jobOf(report, id).conclusion),
      ['failure', 'failure', 'failure', 'success'],
    );
    const noEngine = `no container engine answered (tried ${socket} (--container-engine): no such socket)`;
    assert.ok(result.stdout.includes(`the job container (${podman.images.busybox}) needs a container engine: ${noEngine}`), result.stdout);
    assert.ok(result.stdout.includes(`the container step (${podman.images.busybox}) needs a container engine: ${noEngine}`), result.stdout);
    assert.ok(result.stdout.includes(`services need a container engine: ${noEngine}`), result.stdout);
    assert.match(result.stdout, /plain job ran/);
    assert.doesNotMatch(result.stdout, /must not run/);
  });
});
