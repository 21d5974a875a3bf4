import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allPathsIgnored,
  compilePattern,
  decidingPattern,
  InvalidPatternError,
  matchesAnyPath,
  matchesFilters,
  validatePattern,
} from '../../src/plan/filter-patterns.ts';

interface Row {
  patterns: string[];
  matches: string[];
  doesNotMatch: string[];
}

/** One row of the cheat sheet: the documented examples must match, the counter-examples (from the row's description) must not. */
function checkRow({ patterns, matches, doesNotMatch }: Row): void {
  for (const value of matches) assert.equal(matchesFilters(value, patterns), true, `${JSON.stringify(patterns)} should match '${value}'`);
  for (const value of doesNotMatch) {
    assert.equal(matchesFilters(value, patterns), false, `${JSON.stringify(patterns)} should not match '${value}'`);
  }
}

describe('cheat sheet: patterns to match branches and tags', () => {
  it("feature/* — '*' does not cross '/'", () => {
    checkRow({
      patterns: ['feature/*'],
      matches: ['feature/my-branch', 'feature/your-branch'],
      doesNotMatch: ['feature/beta-a/my-branch', 'feature', 'features/my-branch'],
    });
  });

  it("feature/** — '**' crosses '/'", () => {
    checkRow({
      patterns: ['feature/**'],
      matches: ['feature/beta-a/my-branch', 'feature/your-branch', 'feature/mona/the/octocat'],
      doesNotMatch: ['feature', 'main', 'my/feature/x'],
    });
  });

  it('main and releases/mona-the-octocat — exact names', () => {
    checkRow({
      patterns: ['main', 'releases/mona-the-octocat'],
      matches: ['main', 'releases/mona-the-octocat'],
      doesNotMatch: ['main2', 'Main', 'releases/mona', 'releases/mona-the-octocat/x'],
    });
  });

  it("'*' — every name without a slash", () => {
    checkRow({ patterns: ['*'], matches: ['main', 'releases'], doesNotMatch: ['releases/v1', 'feature/x'] });
  });

  it("'**' — every name", () => {
    checkRow({ patterns: ['**'], matches: ['all/the/branches', 'every/tag', 'main'], doesNotMatch: [] });
  });

  it("'*feature' — anything ending in feature", () => {
    checkRow({
      patterns: ['*feature'],
      matches: ['mona-feature', 'feature', 'ver-10-feature'],
      doesNotMatch: ['feature-mona', 'mona/feature', 'feature/x'],
    });
  });

  it('v2* — names starting with v2', () => {
    checkRow({ patterns: ['v2*'], matches: ['v2', 'v2.0', 'v2.9'], doesNotMatch: ['v1', 'v3.0', 'v2/beta', 'xv2'] });
  });

  it('v[12].[0-9]+.[0-9]+ — semantic versions with major 1 or 2', () => {
    checkRow({
      patterns: ['v[12].[0-9]+.[0-9]+'],
      matches: ['v1.10.1', 'v2.0.0', 'v1.0.999'],
      doesNotMatch: ['v3.0.0', 'v1.x.1', 'v1..1', 'v1.10', 'v1a10.1', 'v12.0.0'],
    });
  });
});

describe('cheat sheet: patterns to match file paths', () => {
  it("'*' — files at the root", () => {
    checkRow({ patterns: ['*'], matches: ['README.md', 'server.rb', '.gitignore'], doesNotMatch: ['docs/README.md'] });
  });

  it("'*.jsx?' — '?' makes the preceding character optional", () => {
    checkRow({
      patterns: ['*.jsx?'],
      matches: ['page.js', 'page.jsx'],
      doesNotMatch: ['page.jsxx', 'page.j', 'page.jsy', 'src/page.js'],
    });
  });

  it("'**' — every file, dotfiles included", () => {
    checkRow({ patterns: ['**'], matches: ['all/the/files.md', '.github/workflows/ci.yml', 'x'], doesNotMatch: [] });
  });

  it("'*.js' — .js files at the root only", () => {
    checkRow({ patterns: ['*.js'], matches: ['app.js', 'index.js'], doesNotMatch: ['js/index.js', 'app.jsx'] });
  });

  it("'**.js' — .js files anywhere", () => {
    checkRow({ patterns: ['**.js'], matches: ['index.js', 'js/index.js', 'src/js/app.js'], doesNotMatch: ['index.jsx', 'src/js'] });
  });

  it('docs/* — files directly in docs/', () => {
    checkRow({
      patterns: ['docs/*'],
      matches: ['docs/README.md', 'docs/file.txt'],
      doesNotMatch: ['docs/mona/octocat.txt', 'README.md', 'src/docs/file.txt'],
    });
  });

  it('docs/** — any file under docs/', () => {
    checkRow({
      patterns: ['docs/**'],
      matches: ['docs/README.md', 'docs/mona/octocat.txt'],
      doesNotMatch: ['docs', 'src/docs/file.txt', 'docs.md'],
    });
  });

  it('docs/**/*.md — .md files anywhere under docs/', () => {
    checkRow({
      patterns: ['docs/**/*.md'],
      matches: ['docs/README.md', 'docs/mona/hello-world.md', 'docs/a/markdown/file.md'],
      doesNotMatch: ['docs/a/file.txt', 'README.md', 'src/docs/a.md'],
    });
  });

  it("'**/docs/**' — files in any docs directory", () => {
    checkRow({
      patterns: ['**/docs/**'],
      matches: ['docs/hello.md', 'dir/docs/my-file.txt', 'space/docs/plan/space.doc'],
      doesNotMatch: ['docs.md', 'mydocs/file.txt', 'dir/docs'],
    });
  });

  it("'**/README.md' — README.md anywhere, the root included", () => {
    checkRow({
      patterns: ['**/README.md'],
      matches: ['README.md', 'js/README.md'],
      doesNotMatch: ['README.md.bak', 'js/NOTREADME.md', 'readme.md'],
    });
  });

  it("'**/*src/**' — files in folders ending in src", () => {
    checkRow({
      patterns: ['**/*src/**'],
      matches: ['a/src/app.js', 'my-src/code/js/app.js'],
      doesNotMatch: ['a/source/app.js', 'src.js', 'a/src'],
    });
  });

  it("'**/*-post.md' — files ending in -post.md anywhere", () => {
    checkRow({
      patterns: ['**/*-post.md'],
      matches: ['my-post.md', 'path/their-post.md'],
      doesNotMatch: ['post.md', 'my-post.mdx', 'my-post.md/x'],
    });
  });

  it("'**/migrate-*.sql' — migrate-*.sql anywhere", () => {
    checkRow({
      patterns: ['**/migrate-*.sql'],
      matches: ['migrate-10909.sql', 'db/migrate-v1.0.sql', 'db/sept/migrate-v1.sql'],
      doesNotMatch: ['db/migrate/v1.sql', 'db/migrate-v1.sql.bak', 'migrate.sql'],
    });
  });

  it("'*.md', '!README.md' — a later negative pattern excludes", () => {
    checkRow({ patterns: ['*.md', '!README.md'], matches: ['hello.md'], doesNotMatch: ['README.md', 'docs/hello.md'] });
  });

  it("'*.md', '!README.md', 'README*' — a later positive pattern re-includes", () => {
    checkRow({
      patterns: ['*.md', '!README.md', 'README*'],
      matches: ['hello.md', 'README.md', 'README.doc'],
      doesNotMatch: ['docs/hello.md', 'notes.txt'],
    });
  });
});

describe('ordered include and negate', () => {
  it('follows the workflow_run docs example: releases/** then !releases/**-alpha', () => {
    checkRow({
      patterns: ['releases/**', '!releases/**-alpha'],
      matches: ['releases/10', 'releases/beta/mona'],
      doesNotMatch: ['releases/10-alpha', 'releases/beta/3-alpha', 'main'],
    });
  });

  it('lets the last matching pattern win', () => {
    assert.equal(matchesFilters('main', ['!main', '**']), true);
    assert.equal(matchesFilters('main', ['**', '!main']), false);
    assert.equal(matchesFilters('main', ['**', '!main', 'main']), true);
  });

  it('matches nothing when every pattern is negative', () => {
    assert.equal(matchesFilters('main', ['!dev']), false);
    assert.equal(matchesFilters('main', []), false);
  });

  it('reports the deciding pattern', () => {
    assert.equal(decidingPattern('releases/10-alpha', ['releases/**', '!releases/**-alpha'])?.source, '!releases/**-alpha');
    assert.equal(decidingPattern('releases/10', ['releases/**', '!releases/**-alpha'])?.source, 'releases/**');
    assert.equal(decidingPattern('main', ['releases/**']), undefined);
  });
});

describe('operators beyond the tables', () => {
  it("applies '?' and '+' to a bracket class", () => {
    checkRow({ patterns: ['v[0-9]?'], matches: ['v', 'v1'], doesNotMatch: ['v12', 'va'] });
    checkRow({ patterns: ['build-[a-z]+'], matches: ['build-x', 'build-linux'], doesNotMatch: ['build-', 'build-Linux'] });
  });

  it("applies '+' to an escaped character", () => {
    checkRow({ patterns: ['a\\.+b'], matches: ['a.b', 'a...b'], doesNotMatch: ['ab', 'axb'] });
  });

  it("makes escaped special characters literal with '\\'", () => {
    checkRow({ patterns: ['release\\+1'], matches: ['release+1'], doesNotMatch: ['releaseee1', 'release1'] });
    checkRow({ patterns: ['what\\?'], matches: ['what?'], doesNotMatch: ['wha', 'what'] });
    checkRow({ patterns: ['\\*star'], matches: ['*star'], doesNotMatch: ['mystar'] });
    checkRow({ patterns: ['\\!bang'], matches: ['!bang'], doesNotMatch: ['bang'] });
  });

  it("treats '!' after the first character, braces, parentheses and regex characters as literals", () => {
    checkRow({ patterns: ['a!b'], matches: ['a!b'], doesNotMatch: ['ab'] });
    checkRow({ patterns: ['{a,b}'], matches: ['{a,b}'], doesNotMatch: ['a', 'b'] });
    checkRow({ patterns: ['fix(ui)|x'], matches: ['fix(ui)|x'], doesNotMatch: ['fixui', 'x'] });
    checkRow({ patterns: ['v1.0'], matches: ['v1.0'], doesNotMatch: ['v1x0'] });
    checkRow({ patterns: ['^main$'], matches: ['^main$'], doesNotMatch: ['main'] });
  });

  it("lets '**' inside a segment cross '/' (tags: v1.**)", () => {
    checkRow({ patterns: ['v1.**'], matches: ['v1.0', 'v1.2.3', 'v1.2/hotfix'], doesNotMatch: ['v1', 'v10.0'] });
  });

  it('matches case-sensitively', () => {
    assert.equal(matchesFilters('Main', ['main']), false);
  });
});

describe('path helpers', () => {
  it('matchesAnyPath is true when one file is included', () => {
    assert.equal(matchesAnyPath(['README.md', 'src/app.ts'], ['src/**']), true);
    assert.equal(matchesAnyPath(['README.md', 'docs/a.md'], ['src/**']), false);
    assert.equal(matchesAnyPath([], ['**']), false);
  });

  it('allPathsIgnored is true only when every file is ignored', () => {
    assert.equal(allPathsIgnored(['docs/a.md', 'docs/b.md'], ['docs/**']), true);
    assert.equal(allPathsIgnored(['docs/a.md', 'src/b.ts'], ['docs/**']), false);
    assert.equal(allPathsIgnored(['docs/a.md', 'docs/keep.md'], ['docs/**', '!docs/keep.md']), false);
  });
});

describe('validatePattern', () => {
  const invalid: [string, RegExp][] = [
    ['', /empty/],
    ['!', /followed by a pattern/],
    ['?main', /'\?'.*at the start/],
    ['!+main', /'\+'.*at the start/],
    ['**+', /'\+'.*after a wildcard/],
    ['*?', /'\?'.*after a wildcard/],
    ['a??', /'\?'.*another quantifier/],
    ['C++', /'\+'.*another quantifier/],
    ['[]', /empty/],
    ['v[0-9', /never closed/],
    ['[._]', /'\.' cannot appear/],
    ['[z-a]', /range 'z-a'/],
    ['[a-Z]', /range 'a-Z'/],
    ['[0-z]', /range '0-z'/],
    ['trailing\\', /escapes nothing/],
  ];
  for (const [pattern, message] of invalid) {
    it(`rejects ${JSON.stringify(pattern)}`, () => {
      const error = validatePattern(pattern);
      assert.ok(error, `expected ${JSON.stringify(pattern)} to be invalid`);
      assert.match(error, message);
    });
  }

  it('accepts the documented patterns and escapes', () => {
    for (const pattern of ['feature/**', '*', 'v[12].[0-9]+.[0-9]+', '*.jsx?', '!README.md', 'C\\+\\+', '[CB]at', '[1-2]00', '[0-9a-z]']) {
      assert.equal(validatePattern(pattern), undefined, pattern);
    }
  });

  it('makes compilePattern and matchesFilters throw InvalidPatternError', () => {
    assert.throws(() => compilePattern('[abc'), InvalidPatternError);
    assert.throws(() => matchesFilters('main', ['main', '?oops']), (error: unknown) => {
      assert.ok(error instanceof InvalidPatternError);
      assert.equal(error.pattern, '?oops');
      return true;
    });
  });

  it('documents [CB]at and [1-2]00 from the cheat sheet', () => {
    checkRow({ patterns: ['[CB]at'], matches: ['Cat', 'Bat'], doesNotMatch: ['cat', 'Hat', 'CBat'] });
    checkRow({ patterns: ['[1-2]00'], matches: ['100', '200'], doesNotMatch: ['300', '00'] });
  });
});
