// setup-node's registry-url: an .npmrc in the job's temp folder naming the registry
// and reading its token from ${NODE_AUTH_TOKEN}, made npm's user config.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { EOL } from 'node:os';
import path from 'node:path';

/** What setup-node (v4 to v6) exports when the step has no NODE_AUTH_TOKEN, so npm finds a value to substitute. */
export const placeholderAuthToken = 'XXXXX-XXXXX-XXXXX-XXXXX';

export interface RegistryOptions {
  registryUrl: string;
  /** The scope input; empty for none. */
  scope: string;
  /** The always-auth input; empty when not given (then no always-auth line, which npm 9+ warns about). */
  alwaysAuth: string;
  /** Folder the .npmrc is written to (RUNNER_TEMP). */
  folder: string;
  env: Record<string, string>;
  exportVariable(name: string, value: string): void;
}

/** `@owner:` for the scope input, or the repository owner's for GitHub Packages; empty otherwise. */
function scopePrefix(scope: string, registryUrl: string, env: Record<string, string>): string {
  let name = scope;
  if (!name && registryUrl.includes('npm.pkg.github.com')) name = env.GITHUB_REPOSITORY_OWNER || (env.GITHUB_REPOSITORY ?? '').split('/')[0] || '';
  if (!name) return '';
  return `${name.startsWith('@') ? name : `@${name}`}`.toLowerCase() + ':';
}

/** Writes the .npmrc (keeping lines it holds already, except an older registry line for the scope) and returns its path. */
export function configureRegistry(options: RegistryOptions): string {
  const registryUrl = options.registryUrl.endsWith('/') ? options.registryUrl : `${options.registryUrl}/`;
  const scope = scopePrefix(options.scope, registryUrl, options.env);
  mkdirSync(options.folder, { recursive: true });
  const npmrc = path.resolve(options.folder, '.npmrc');
  const kept = existsSync(npmrc)
    ? readFileSync(npmrc, 'utf8')
        .split(/\r?\n/)
        .filter((line) => line !== '' && !line.toLowerCase().startsWith(`${scope}registry`))
    : [];
  const authLine = `${registryUrl.replace(/^\w+:/, '')}:_authToken=\${NODE_AUTH_TOKEN}`;
  const lines = [...kept, authLine, `${scope}registry=${registryUrl}`];
  if (options.alwaysAuth) lines.push(`always-auth=${options.alwaysAuth}`);
  writeFileSync(npmrc, lines.join(EOL));
  options.exportVariable('NPM_CONFIG_USERCONFIG', npmrc);
  options.exportVariable('NODE_AUTH_TOKEN', options.env.NODE_AUTH_TOKEN || placeholderAuthToken);
  return npmrc;
}
