// The path patterns of actions/cache and actions/upload-artifact, and
// upload-artifact's choice of the folder names in the zip are relative to.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { globPaths, searchPaths } from '../../../src/actions/builtin/glob-paths.ts';
import { filesToUpload } from '../../../src/actions/builtin/upload-artifact.ts';
import { writeTree } from '../../storage/support.ts';

describe('path patterns', () => {
  let workspace: string;
  before(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-glob-'));
    await writeTree(workspace, {
      'dist/app.js': '',
      'dist/sub/lib.js': '',
      'dist/.hidden/secret': '',
      'dist/.env': '',
      'logs/a.log': '',
      'logs/b.txt': '',
      'other/x.txt': '',
    });
  });
  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });
  const options = (extra: Partial<Parameters<typeof globPaths>[1]> = {}) => ({ workspace, home: '/nonexistent-home', implicitDescendants: false, excludeHidden: false, ...extra });
  const relative = (paths: string[]) => paths.map((p) => path.relative(workspace, p)).sort();

  it('matches folders themselves for the cache, and files by wildcard', () => {
    assert.deepEqual(relative(globPaths(['dist', 'logs/*.log', 'missing'], options())), ['dist', 'logs/a.log']);
  });

  it('** crosses folders, ! excludes, # comments are skipped', () => {
    assert.deepEqual(relative(globPaths(['# all js', 'dist/**/*.js', '!dist/sub/**'], options())), ['dist/app.js']);
  });

  it('with implicit descendants and hidden files excluded (upload-artifact), folders bring their files', () => {
    const found = relative(globPaths(['dist/'], options({ implicitDescendants: true, excludeHidden: true })));
    assert.deepEqual(found, ['dist', 'dist/app.js', 'dist/sub', 'dist/sub/lib.js']);
  });

  it('search paths are the literal prefixes, without nested ones', () => {
    assert.deepEqual(relative(searchPaths(['dist/**/*.js', 'dist/sub/lib.js', 'logs/*.log'], options())), ['dist', 'logs']);
  });

  it("upload-artifact's root: the common ancestor of several search paths, the folder of one file, else the search path", () => {
    const upload = (patterns: string[]) => {
      const { files, root } = filesToUpload(patterns, { workspace, home: '/nonexistent-home', includeHidden: false });
      return { files: relative(files), root: path.relative(workspace, root) };
    };
    assert.deepEqual(upload(['dist/app.js', 'other/']), { files: ['dist/app.js', 'other/x.txt'], root: '' });
    assert.deepEqual(upload(['dist/sub/lib.js']), { files: ['dist/sub/lib.js'], root: 'dist/sub' });
    assert.deepEqual(upload(['dist/**/*.js']), { files: ['dist/app.js', 'dist/sub/lib.js'], root: 'dist' });
    const hidden = filesToUpload(['dist/'], { workspace, home: '/x', includeHidden: true });
    assert.deepEqual(relative(hidden.files), ['dist/.env', 'dist/.hidden/secret', 'dist/app.js', 'dist/sub/lib.js']);
  });
});
