// `gantry hooks install`: a git hook that reports pushes (bare repository: post-receive) or new
// commits and ref updates (working repository: reference-transaction) to a server's /hooks/git,
// signed with the repository's webhook secret.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from '../plan/git.ts';
import type { CommandIO } from './io.ts';
import { UsageError } from './io.ts';

export interface HooksInstallOptions {
  directory: string;
  server: string;
  repo?: string;
  secret?: string;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function hookScript(hook: 'post-receive' | 'reference-transaction', server: string, repo: string, secret: string): string {
  return `#!/bin/sh
# Installed by gantry hooks install: reports ref updates to a Gantry server.
GANTRY_URL=${shellQuote(server.replace(/\/+$/, ''))}
GANTRY_REPO=${shellQuote(repo)}
GANTRY_SECRET=${shellQuote(secret)}
${hook === 'reference-transaction' ? '[ "$1" = committed ] || exit 0\n' : ''}while read -r old new ref; do
  case "$ref" in refs/heads/*|refs/tags/*) ;; *) continue ;; esac
  case "$new" in *[!0]*) ;; *) continue ;; esac
  body=$(printf '{"repository":"%s","ref":"%s","before":"%s","after":"%s"}' "$GANTRY_REPO" "$ref" "$old" "$new")
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$GANTRY_SECRET" | sed 's/^.*= //')
  curl -fsS -m 10 -o /dev/null -H 'content-type: application/json' -H "X-Hub-Signature-256: sha256=$sig" \\
    --data-binary "$body" "$GANTRY_URL/hooks/git" 2>/dev/null || echo "gantry: could not report $ref to $GANTRY_URL" >&2
done
exit 0
`;
}

export async function hooksInstall(options: HooksInstallOptions, io: CommandIO): Promise<number> {
  const dir = path.resolve(options.directory);
  const secret = options.secret ?? process.env.GANTRY_WEBHOOK_SECRET;
  if (!secret) throw new UsageError('--secret SECRET (or GANTRY_WEBHOOK_SECRET) is needed: the webhook secret gantry repo add printed');
  if (!/^https?:\/\//.test(options.server)) throw new UsageError(`--server expects http://HOST:PORT, got "${options.server}"`);
  const bare = (await runGit(dir, ['rev-parse', '--is-bare-repository'])).trim() === 'true';
  const hooksDir = path.resolve(dir, (await runGit(dir, ['rev-parse', '--git-path', 'hooks'])).trim());
  const repo = options.repo ?? path.basename(dir).replace(/\.git$/, '');
  const hook = bare ? 'post-receive' : 'reference-transaction';
  await mkdir(hooksDir, { recursive: true });
  const file = path.join(hooksDir, hook);
  // The file holds the webhook secret: only its owner may read it.
  await writeFile(file, hookScript(hook, options.server, repo, secret), { mode: 0o700 });
  await chmod(file, 0o700);
  io.out(`installed ${file}: ${bare ? 'pushes' : 'commits and ref updates'} are reported to ${options.server} as repository ${repo}\n`);
  return 0;
}
