import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExpressionError, evaluateExpression, hashFiles, hashFilesFunction } from '../../src/expr/index.ts';

let workspace = '';

const files: Record<string, string> = {
  'package-lock.json': 'root lock',
  'sub/package-lock.json': 'sub lock',
  'Gemfile.lock': 'gems',
  'dir.lock/inner.txt': 'inside a directory named like a lock file',
  'lib/a.rb': 'a',
  'lib/bar/c.rb': 'c',
  'lib/foo/b.rb': 'b',
  'src/x.js': 'x',
  'src/deep/y.js': 'y',
  '.hidden/z.js': 'z',
  'big/data.txt': '0123456789'.repeat(20_000),
};

/** The expected value, computed independently: SHA-256 over the concatenated per-file SHA-256 digests. */
function expectedHash(relativePaths: string[]): string {
  const combined = createHash('sha256');
  for (const relativePath of relativePaths) {
    combined.update(createHash('sha256').update(readFileSync(path.join(workspace, relativePath))).digest());
  }
  return combined.digest('hex');
}

before(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'gantry-hashfiles-'));
  for (const [relativePath, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, relativePath)), { recursive: true });
    writeFileSync(path.join(workspace, relativePath), content);
  }
  mkdirSync(path.join(workspace, 'empty-dir'));
});

after(() => {
  rmSync(workspace, { recursive: true, force: true });
});

describe('hashFiles', () => {
  it('hashes every match of a single pattern in walk order', () => {
    assert.equal(
      hashFiles(workspace, ['**/package-lock.json']),
      expectedHash(['package-lock.json', 'sub/package-lock.json']),
    );
  });

  it('is not the hash of the concatenated file contents', () => {
    const naive = createHash('sha256').update('root lock').update('sub lock').digest('hex');
    assert.notEqual(hashFiles(workspace, ['**/package-lock.json']), naive);
  });

  it('combines several patterns, visiting each file once, in byte order', () => {
    assert.equal(
      hashFiles(workspace, ['**/package-lock.json', '**/Gemfile.lock', 'package-lock.json']),
      expectedHash(['Gemfile.lock', 'package-lock.json', 'sub/package-lock.json']),
    );
  });

  it('applies ! exclusions in order, the last matching pattern deciding', () => {
    assert.equal(hashFiles(workspace, ['/lib/**/*.rb', '!/lib/foo/*.rb']), expectedHash(['lib/a.rb', 'lib/bar/c.rb']));
    assert.equal(
      hashFiles(workspace, ['!lib/foo/*.rb', 'lib/**/*.rb']),
      expectedHash(['lib/a.rb', 'lib/bar/c.rb', 'lib/foo/b.rb']),
    );
    assert.equal(hashFiles(workspace, ['lib/**', '!lib/bar', '!lib/foo']), expectedHash(['lib/a.rb']));
  });

  it('matches only files at the given level with a single star', () => {
    assert.equal(hashFiles(workspace, ['/src/*.js']), expectedHash(['src/x.js']));
  });

  it('hashes the files below a matched directory, never the directory itself', () => {
    assert.equal(hashFiles(workspace, ['src']), expectedHash(['src/deep/y.js', 'src/x.js']));
    assert.equal(hashFiles(workspace, ['src/']), expectedHash(['src/deep/y.js', 'src/x.js']));
    assert.equal(hashFiles(workspace, ['**/*.lock']), expectedHash(['Gemfile.lock', 'dir.lock/inner.txt']));
  });

  it('matches dot files and directories', () => {
    assert.equal(hashFiles(workspace, ['**/*.js']), expectedHash(['.hidden/z.js', 'src/deep/y.js', 'src/x.js']));
  });

  it('hashes files larger than one read buffer', () => {
    assert.equal(hashFiles(workspace, ['big/*']), expectedHash(['big/data.txt']));
  });

  it('returns an empty string when nothing matches', () => {
    assert.equal(hashFiles(workspace, ['**/*.none']), '');
    assert.equal(hashFiles(workspace, ['empty-dir']), '');
    assert.equal(hashFiles(workspace, ['missing/**']), '');
    assert.equal(hashFiles(workspace, ['!**/*.rb']), '');
  });

  it('accepts absolute patterns inside the workspace and ignores patterns outside it', () => {
    assert.equal(hashFiles(workspace, [path.join(workspace, 'lib', '*.rb')]), expectedHash(['lib/a.rb']));
    assert.equal(hashFiles(workspace, ['~/**']), '');
  });

  it('reads one pattern per line, skipping blanks and comments', () => {
    assert.equal(
      hashFiles(workspace, ['# locks\n**/Gemfile.lock\n\n  sub/package-lock.json  ']),
      expectedHash(['Gemfile.lock', 'sub/package-lock.json']),
    );
  });

  it('rejects relative pathing', () => {
    assert.throws(() => hashFiles(workspace, ['../outside/**']), /Relative pathing '\.' and '\.\.' is not allowed/);
  });
});

describe('hashFiles with symbolic links', () => {
  let linkWorkspace = '';

  before(() => {
    linkWorkspace = mkdtempSync(path.join(tmpdir(), 'gantry-hashfiles-links-'));
    mkdirSync(path.join(linkWorkspace, 'real'));
    writeFileSync(path.join(linkWorkspace, 'real', 'file.txt'), 'target');
    symlinkSync(path.join(linkWorkspace, 'real'), path.join(linkWorkspace, 'linked-dir'));
    symlinkSync(path.join(linkWorkspace, 'real', 'file.txt'), path.join(linkWorkspace, 'linked-file.txt'));
    symlinkSync(path.join(linkWorkspace, 'real'), path.join(linkWorkspace, 'real', 'loop'));
  });

  after(() => {
    rmSync(linkWorkspace, { recursive: true, force: true });
  });

  const digestOf = (count: number): string => {
    const combined = createHash('sha256');
    const fileDigest = createHash('sha256').update('target').digest();
    for (let index = 0; index < count; index++) combined.update(fileDigest);
    return combined.digest('hex');
  };

  it('hashes the target of a linked file but does not descend into linked directories by default', () => {
    assert.equal(hashFiles(linkWorkspace, ['linked-file.txt']), digestOf(1));
    assert.equal(hashFiles(linkWorkspace, ['linked-dir/**']), '');
    assert.equal(hashFiles(linkWorkspace, ['**/*.txt']), digestOf(2));
  });

  it('descends into linked directories with --follow-symbolic-links, stopping at cycles', () => {
    const host = [hashFilesFunction(linkWorkspace)];
    assert.equal(evaluateExpression("hashFiles('--follow-symbolic-links', 'linked-dir/**')", {}, host), digestOf(1));
    assert.equal(evaluateExpression("hashFiles('--follow-symbolic-links', '**/file.txt')", {}, host), digestOf(2));
  });
});

describe('hashFilesFunction', () => {
  it('is callable from expressions with several patterns', () => {
    const host = [hashFilesFunction(workspace)];
    assert.equal(
      evaluateExpression("hashFiles('**/package-lock.json', '**/Gemfile.lock')", {}, host),
      expectedHash(['Gemfile.lock', 'package-lock.json', 'sub/package-lock.json']),
    );
    assert.equal(evaluateExpression("hashFiles('nothing/*')", {}, host), '');
  });

  it('reports an unknown option as an ExpressionError', () => {
    const host = [hashFilesFunction(workspace)];
    assert.throws(() => evaluateExpression("hashFiles('--nope', '*')", {}, host), (error: unknown) => {
      assert.ok(error instanceof ExpressionError);
      assert.match(error.message, /Invalid glob option --nope/);
      return true;
    });
  });

  it('needs at least one argument', () => {
    assert.throws(() => evaluateExpression('hashFiles()', {}, [hashFilesFunction(workspace)]), /Too few parameters/);
  });
});
