// Where Gantry looks for a container engine, and how `options:` become the Engine API's settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerEngine, ContainerEngineUnavailable } from '../../src/containers/engine.ts';
import { createSettings, CreateOptionError } from '../../src/containers/create-options.ts';
import { engineCandidates, EngineAddressError, parseEngineAddress } from '../../src/containers/locate.ts';
import { parseServiceOptions } from '../../src/containers/options.ts';

describe('finding the container engine', () => {
  it('reads sockets and TCP addresses as Docker writes them', () => {
    assert.deepEqual(parseEngineAddress('unix:///run/podman/podman.sock', 'DOCKER_HOST'), { socketPath: '/run/podman/podman.sock', shown: 'unix:///run/podman/podman.sock' });
    assert.deepEqual(parseEngineAddress('/var/run/docker.sock', '--container-engine'), { socketPath: '/var/run/docker.sock', shown: '/var/run/docker.sock' });
    assert.deepEqual(parseEngineAddress('tcp://127.0.0.1:2375', 'DOCKER_HOST'), { host: '127.0.0.1', port: 2375, protocol: 'http', shown: 'tcp://127.0.0.1:2375' });
    assert.throws(() => parseEngineAddress('ssh://me@box', 'DOCKER_HOST'), (error: unknown) => error instanceof EngineAddressError && /DOCKER_HOST "ssh:\/\/me@box": not an engine address/.test(error.message));
    assert.throws(() => parseEngineAddress('tcp://host', '--container-engine'), EngineAddressError);
  });

  it('tries --container-engine alone, else DOCKER_HOST alone, else the usual sockets', () => {
    const shown = (candidates: ReturnType<typeof engineCandidates>) => candidates.map((candidate) => candidate.address.shown);
    assert.deepEqual(shown(engineCandidates({ flag: '/tmp/x.sock', environment: { DOCKER_HOST: 'tcp://127.0.0.1:1' } })), ['/tmp/x.sock']);
    assert.deepEqual(shown(engineCandidates({ environment: { DOCKER_HOST: 'unix:///tmp/y.sock' } })), ['unix:///tmp/y.sock']);
    assert.deepEqual(shown(engineCandidates({ environment: { XDG_RUNTIME_DIR: '/run/user/1000' } })), [
      '/var/run/docker.sock',
      '/run/user/1000/podman/podman.sock',
      '/run/podman/podman.sock',
    ]);
  });

  it('says where it looked when nothing answers', async () => {
    await assert.rejects(
      ContainerEngine.connect({ environment: { DOCKER_HOST: 'tcp://127.0.0.1:1' }, timeoutMs: 2000 }),
      (error: unknown) => error instanceof ContainerEngineUnavailable && /no container engine answered \(tried tcp:\/\/127\.0\.0\.1:1 \(DOCKER_HOST\): .*--container-engine or DOCKER_HOST/.test(error.message),
    );
  });
});

describe('docker create options for containers', () => {
  const settings = (options: string) => createSettings(parseServiceOptions(options).flags);

  it('applies the common flags and lists the others', () => {
    const applied = settings('--user 1000:1000 -w /src --shm-size 256m --tmpfs /run:size=64m --cpus 1.5 -v /a:/b:ro --ulimit nofile=1024:2048 --network-alias db2 --gpus all --privileged');
    assert.equal(applied.config.User, '1000:1000');
    assert.equal(applied.config.WorkingDir, '/src');
    assert.equal(applied.hostConfig.ShmSize, 256 * 1024 * 1024);
    assert.deepEqual(applied.hostConfig.Tmpfs, { '/run': 'size=64m' });
    assert.equal(applied.hostConfig.NanoCpus, 1_500_000_000);
    assert.deepEqual(applied.hostConfig.Binds, ['/a:/b:ro']);
    assert.deepEqual(applied.hostConfig.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.equal(applied.hostConfig.Privileged, true);
    assert.deepEqual(applied.aliases, ['db2']);
    assert.deepEqual(applied.ignored, ['--gpus all']);
  });

  it('refuses values Docker would refuse', () => {
    assert.throws(() => settings('--shm-size lots'), (error: unknown) => error instanceof CreateOptionError && /--shm-size lots: "lots" is not a size/.test(error.message));
    assert.throws(() => settings('--ulimit nofile'), CreateOptionError);
  });
});
