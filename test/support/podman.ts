// A real Podman for the container tests: `podman system service` on a socket of its own, started once
// per test file (`usePodman()` in a `before`), stopped after it, with the settings this kind of machine
// needs (runc, file limits it can grant). No registry is reachable, so the images the tests use are
// built here from Debian's busybox-static, once per content (their tags carry a hash of what went in).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ContainerEngine } from '../../src/containers/engine.ts';
import { which } from '../../src/executors/which.ts';

const run = promisify(execFile);

/** What .ci/run writes to /etc/containers/containers.conf, and what every test's Podman gets. */
export const containersConf = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
`;

export interface TestPodman {
  /** `unix:///…/podman.sock`, for `--container-engine` or DOCKER_HOST. */
  url: string;
  engine: ContainerEngine;
  /** Environment for `podman` commands (CONTAINERS_CONF). */
  env: NodeJS.ProcessEnv;
  images: TestImages;
  stop(): Promise<void>;
}

export interface TestImages {
  /** busybox with `sh` as its command. */
  busybox: string;
  /** busybox that says `httpd starting on port 80`, then serves `index.html` ("hello from a service") on port 80. */
  httpd: string;
  /** busybox with the host's C and C++ libraries that Node.js needs (Node itself is mounted in by Gantry). */
  glibc: string;
}

const busyboxBinary = '/bin/busybox';

/** Starts Podman's Docker-compatible API for this test file. */
export async function startPodman(): Promise<TestPodman> {
  const missing = [
    ['podman', 'podman'],
    ['runc', 'runc'],
  ].filter(([program]) => which(program!) === null && which(path.join('/usr/sbin', program!)) === null);
  if (missing.length > 0 || !existsSync(busyboxBinary)) {
    assert.fail(`the container tests need podman, runc and busybox-static: apt-get install -y podman runc busybox-static (.ci/run installs them)`);
  }
  const folder = await mkdtemp(path.join(tmpdir(), 'gantry-podman-'));
  const conf = path.join(folder, 'containers.conf');
  await writeFile(conf, containersConf);
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const socket = path.join(folder, 'podman.sock');
  const url = `unix://${socket}`;
  const service = spawn('podman', ['system', 'service', '--time=0', url], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let serviceLog = '';
  service.stderr?.on('data', (chunk: Buffer) => (serviceLog = (serviceLog + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopProcess(service);
    await rm(folder, { recursive: true, force: true });
  };
  try {
    const engine = await waitForEngine(url, service, () => serviceLog);
    const images = await buildImages(env);
    return { url, engine, env, images, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForEngine(url: string, service: ChildProcess, log: () => string): Promise<ContainerEngine> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (service.exitCode !== null) assert.fail(`podman system service exited with code ${service.exitCode}: ${log()}`);
    try {
      return await ContainerEngine.connect({ flag: url, timeoutMs: 2000 });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The root file system's recipe: a change to it (or to busybox) makes new tags. */
const recipeVersion = '1';

async function buildImages(env: NodeJS.ProcessEnv): Promise<TestImages> {
  const hash = createHash('sha256').update(recipeVersion).update(readFileSync(busyboxBinary)).digest('hex').slice(0, 16);
  const libraries = await nodeLibraries();
  const librariesHash = createHash('sha256').update(hash);
  for (const library of libraries) librariesHash.update(library).update(readFileSync(library));
  const images: TestImages = {
    busybox: `localhost/gantry-test/busybox:${hash}`,
    httpd: `localhost/gantry-test/httpd:${hash}`,
    glibc: `localhost/gantry-test/glibc:${librariesHash.digest('hex').slice(0, 16)}`,
  };
  const commands: Record<keyof TestImages, string> = {
    busybox: 'CMD ["/bin/sh"]',
    httpd: 'CMD ["sh", "-c", "echo httpd starting on port 80; exec httpd -f -p 80 -h /www"]',
    glibc: 'CMD ["/bin/sh"]',
  };
  const names = Object.keys(images) as (keyof TestImages)[];
  const missing = await Promise.all(names.map(async (name) => ((await imageExists(images[name], env)) ? undefined : name)));
  const toBuild = missing.filter((name): name is keyof TestImages => name !== undefined);
  if (toBuild.length === 0) return images;
  const folder = await mkdtemp(path.join(tmpdir(), 'gantry-rootfs-'));
  try {
    const tar = await busyboxRootfs(folder, []);
    const withLibraries = toBuild.includes('glibc') ? await busyboxRootfs(path.join(folder, 'glibc'), libraries) : tar;
    for (const name of toBuild) await run('podman', ['import', '--quiet', '--change', commands[name], name === 'glibc' ? withLibraries : tar, images[name]], { env });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return images;
}

async function imageExists(image: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await run('podman', ['image', 'exists', image], { env });
    return true;
  } catch {
    return false;
  }
}

/** The shared libraries this machine's Node.js loads (`ldd`), by their real paths. */
async function nodeLibraries(): Promise<string[]> {
  const { stdout } = await run('ldd', [process.execPath]);
  return [...stdout.matchAll(/(\/\S+\.so[.\d]*)/g)].map((match) => match[1]!);
}

/** A root file system of busybox and its applets, a passwd, a page for httpd, and `libraries` at their paths, as a tar. */
async function busyboxRootfs(folder: string, libraries: string[]): Promise<string> {
  const root = path.join(folder, 'root');
  for (const library of libraries) {
    await mkdir(path.join(root, path.dirname(library)), { recursive: true });
    await copyFile(library, path.join(root, library));
  }
  for (const sub of ['bin', 'etc', 'tmp', 'www', 'root', 'proc', 'sys', 'dev']) await mkdir(path.join(root, sub), { recursive: true });
  await copyFile(busyboxBinary, path.join(root, 'bin', 'busybox'));
  const { stdout } = await run(busyboxBinary, ['--list']);
  for (const applet of stdout.split('\n').filter((name) => name !== '' && name !== 'busybox')) {
    await symlink('busybox', path.join(root, 'bin', applet));
  }
  await writeFile(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(path.join(root, 'www', 'index.html'), 'hello from a service\n');
  const tar = path.join(folder, 'rootfs.tar');
  await run('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

/** Gantry's containers and networks whose job label contains `marker` (tests name their jobs uniquely). */
export async function leftovers(engine: ContainerEngine, marker: string): Promise<string[]> {
  const containers = await engine.docker.listContainers({ all: true, filters: { label: ['dev.gantry.job'] } });
  const networks = await engine.docker.listNetworks({ filters: { label: ['dev.gantry.job'] } });
  return [
    ...containers.filter((container) => container.Labels['dev.gantry.job']?.includes(marker)).map((container) => `container ${container.Names.map((name) => name.replace(/^\//, '')).join(',')}`),
    ...networks.filter((network) => network.Labels?.['dev.gantry.job']?.includes(marker)).map((network) => `network ${network.Name}`),
  ];
}
