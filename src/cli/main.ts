// The `gantry` command line: argument parsing and exit codes only; each command
// lives in its own module, loaded when it runs, and drives the layers below.

import { Command, CommanderError, Option } from 'commander';
import { WorkflowDiscoveryError } from '../workflow/errors.ts';
import { processIO, UsageError, type CommandIO } from './io.ts';
import { EventError } from '../plan/events/event-error.ts';
import { GitError } from '../plan/git.ts';
import { ActionResolutionError } from '../actions/types.ts';

const EXIT_USAGE = 2;

function buildProgram(io: CommandIO, setExitCode: (code: number) => void): Command {
  const program = new Command('gantry')
    .description('Run GitHub Actions workflows on this machine and as a CI/CD server')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('lint')
    .description('check workflow files: parser errors, job graph, expressions, script injection, unpinned actions')
    .argument('[paths...]', 'workflow files or folders (default: .github/workflows)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .action(async (paths: string[], options) => {
      const { lintCommand } = await import('./lint-command.ts');
      setExitCode(await lintCommand(paths, options, io));
    });

  withEventOptions(program.command('plan'))
    .description('show which workflows an event triggers and their jobs, without running them')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'mermaid', 'dot']).default('text'),
    )
    .action(async (options) => {
      const { planCommand } = await import('./plan-command.ts');
      setExitCode(await planCommand(options, io));
    });

  withEventOptions(program.command('run'))
    .description('run the workflows an event triggers, on this machine')
    .option('--job <id>', 'run this job and what it needs (repeatable)', collect, [])
    .option('--only', "with --job: do not run the jobs it needs", false)
    .option('--matrix <key:value>', 'run only the matrix legs with this value (repeatable)', collect, [])
    .option('--secret <name[=value]>', 'a secret; without a value it is read from the environment (repeatable)', collect, [])
    .option('--secret-file <file>', 'secrets from a dotenv file (repeatable)', collect, [])
    .option('--var <name=value>', 'a configuration variable, vars.<name> (repeatable)', collect, [])
    .option('--var-file <file>', 'variables from a dotenv file (repeatable)', collect, [])
    .option('--env-file <file>', 'environment variables for every step, from a dotenv file')
    .option('--jobs <n>', 'how many jobs run at once (default: the number of CPUs)')
    .option('--json <file>', 'write the results as JSON')
    .option('--dry-run', 'show what would run, run nothing', false)
    .option('--bind', "run in the repository folder itself instead of a fresh checkout", false)
    .option('--verbose', 'show ::debug:: lines', false)
    .addOption(new Option('--executor <name>', 'where steps run: on this machine, or each step under bubblewrap').choices(['host', 'sandbox']).default('host'))
    .option('--sandbox-network', 'with --executor sandbox: give every job the network (jobs with services always have it)', false)
    .addOption(
      new Option('--services <kind>', 'how services: run: as containers, as native programs of this machine, or containers when an engine answers')
        .choices(['auto', 'container', 'native'])
        .default('auto'),
    )
    .option('--container-engine <address>', 'the Docker Engine API to use: a socket (unix:///run/podman/podman.sock) or tcp://HOST:PORT (default: DOCKER_HOST, then the usual sockets)')
    .option('--no-builtin <action>', 'do not use the built-in version of this action, e.g. actions/setup-node (repeatable)', collect, [])
    .option('--no-color', 'no colours in the output')
    .option('--cache-dir <dir>', 'where actions/cache entries are kept (default: $XDG_CACHE_HOME/gantry/cache)')
    .action(async (options) => {
      const { runCommand } = await import('./run-command.ts');
      const terminal = { isTTY: Boolean(process.stdout.isTTY), columns: process.stdout.columns, rows: process.stdout.rows };
      setExitCode(await runCommand(options, io, terminal));
    });

  const actions = program.command('actions').description('the action store: actions kept for offline runs');
  actions
    .command('add')
    .description('copy a local checkout of an action into the store')
    .argument('<reference>', 'owner/repo@ref')
    .requiredOption('--from <path>', 'the folder (or git repository) holding the action')
    .option('--actions-url <url>', 'the server the action belongs to (default https://github.com)')
    .action(async (reference: string, options) => {
      const { addAction } = await import('./actions-command.ts');
      setExitCode(await addAction(reference, options.from, options, io));
    });
  actions
    .command('list')
    .description('list the actions in the store')
    .option('--actions-url <url>', 'the server whose actions to list (default https://github.com)')
    .action(async (options) => {
      const { listActions } = await import('./actions-command.ts');
      setExitCode(await listActions(options, io));
    });

  program
    .command('serve')
    .description('run the CI/CD server: webhooks, a queue of runs, the HTTP API')
    .option('--port <port>', 'the port to listen on', '8080')
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the database, keys and run files live (default ~/.gantry/server, or GANTRY_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL (postgres://...) instead of the embedded SQLite (or DATABASE_URL)')
    .option('--slots <n>', 'how many jobs run at once across all runs', '2')
    .option('--actions-url <url>', 'the server actions are fetched from (default https://github.com)')
    .option('--offline', 'never fetch actions; use the action store only', false)
    .action(async (options) => {
      const { serveCommand } = await import('./serve-command.ts');
      setExitCode(await serveCommand(options, io));
    });

  const repo = program.command('repo').description('repositories of a Gantry server');
  withClientOptions(repo.command('add'))
    .description('register a repository with the server')
    .argument('<name>', 'the name webhooks and the API use')
    .option('--path <dir>', 'a git repository on the server\'s machine (bare or working)')
    .option('--url <git-url>', 'a git URL the server mirrors')
    .option('--default-branch <branch>', 'default: the repository\'s HEAD')
    .action(async (name: string, options) => {
      const { repoAdd } = await import('./server-commands.ts');
      setExitCode(await repoAdd(name, options, io));
    });

  withClientOptions(program.command('dispatch'))
    .description('start a workflow_dispatch run on a Gantry server')
    .argument('<repo>', 'the registered repository')
    .argument('<workflow>', 'the workflow file, e.g. deploy.yml')
    .option('--ref <ref>', 'branch or tag (default: the repository\'s default branch)')
    .option('--input <name=value>', 'a workflow_dispatch input (repeatable)', collect, [])
    .action(async (repoName: string, workflow: string, options) => {
      const { dispatch } = await import('./server-commands.ts');
      setExitCode(await dispatch(repoName, workflow, options, io));
    });

  for (const [command, kind] of [['secret', 'secrets'], ['var', 'variables']] as const) {
    const group = program.command(command).description(`${kind} on a Gantry server (server, --repo or --repo and --env level)`);
    for (const action of ['set', 'list', 'rm'] as const) {
      withClientOptions(group.command(action))
        .argument(action === 'list' ? '[name]' : '<name>', 'the name')
        .option('--repo <repo>', 'repository level')
        .option('--env <environment>', 'environment level (with --repo)')
        .option('--value <value>', action === 'set' ? 'the value (default: read from stdin, so it stays out of shell history)' : 'unused')
        .action(async (name: string | undefined, options) => {
          const { valueCommand } = await import('./server-commands.ts');
          const readStdin = async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          };
          setExitCode(await valueCommand(kind, action, name, options, io, readStdin));
        });
    }
  }

  const runs = program.command('runs').description('runs on a Gantry server');
  for (const action of ['list', 'show', 'cancel', 'rerun'] as const) {
    const command = withClientOptions(runs.command(action));
    if (action === 'list') {
      command.option('--repo <repo>', 'only this repository').option('--status <status>', 'queued, running or completed').option('--limit <n>', 'how many', '20');
    } else {
      command.argument('<run>', 'the run id');
    }
    if (action === 'rerun') {
      command
        .option('--failed', 'only the failed jobs (of a matrix, the failed legs) and the jobs that need them', false)
        .option('--job <job>', 'only this job (its id in `gantry runs show`) and the jobs that need it');
    }
    command.action(async (...args: unknown[]) => {
      const { runsCommand } = await import('./server-commands.ts');
      const id = action === 'list' ? undefined : (args[0] as string);
      const options = (action === 'list' ? args[0] : args[1]) as Parameters<typeof runsCommand>[2];
      setExitCode(await runsCommand(action, id, options, io));
    });
  }

  withClientOptions(program.command('logs'))
    .description("a run's job logs from a Gantry server")
    .argument('<run>', 'the run id')
    .argument('[job]', 'a job id or name (default: every job)')
    .option('-f, --follow', 'follow the log live until the job ends', false)
    .action(async (run: string, job: string | undefined, options) => {
      const { logsCommand } = await import('./server-commands.ts');
      setExitCode(await logsCommand(run, job, options, io));
    });

  const token = program.command('token').description('API tokens of a Gantry server (admin)');
  for (const action of ['create', 'list', 'revoke'] as const) {
    const command = withClientOptions(token.command(action));
    if (action === 'create') command.argument('<name>', 'what the token is for').option('--role <role>', 'admin, maintainer or viewer', 'viewer');
    if (action === 'revoke') command.argument('<id>', 'the token id (gantry token list)');
    command.action(async (...args: unknown[]) => {
      const { tokenCommand } = await import('./server-commands.ts');
      const arg = action === 'list' ? undefined : (args[0] as string);
      const options = (action === 'list' ? args[0] : args[1]) as Parameters<typeof tokenCommand>[2];
      setExitCode(await tokenCommand(action, arg, options, io));
    });
  }

  const hooks = program.command('hooks').description('git hooks that report pushes to a Gantry server');
  hooks
    .command('install')
    .description('install post-receive (bare repository) or reference-transaction (working repository)')
    .requiredOption('--server <url>', 'the Gantry server, e.g. http://127.0.0.1:8080')
    .option('-C, --directory <dir>', 'the repository', '.')
    .option('--repo <name>', 'the name it is registered under (default: the folder name)')
    .option('--secret <secret>', 'its webhook secret (or GANTRY_WEBHOOK_SECRET)')
    .action(async (options) => {
      const { hooksInstall } = await import('./hooks-command.ts');
      setExitCode(await hooksInstall(options, io));
    });

  return program;
}

/** The options that say which repository, workflows and event a command works on. */
function withEventOptions(command: Command): Command {
  return command
    .option('-C, --directory <dir>', 'the repository', '.')
    .option('--workflows <path>', 'a workflow file or folder (default: .github/workflows)')
    .option('--event <name>', 'the event', 'push')
    .option('--ref <ref>', 'branch or tag of the event (default: the checked-out branch)')
    .option('--eventpath <file>', 'a webhook payload (JSON) to use as the event, as act does')
    .option('--input <name=value>', 'a workflow_dispatch input (repeatable)', collect, [])
    .option('--base <branch>', 'pull_request: the branch the pull request merges into')
    .option('--head <branch>', 'pull_request: the branch with the changes (default: --ref or HEAD)')
    .option('--action <type>', 'the activity type (payload.action), e.g. opened, completed')
    .option('--triggering-workflow <name>', 'workflow_run: the name of the workflow that ran')
    .option('--conclusion <conclusion>', 'workflow_run: how that run ended', 'success')
    .option('--cron <expression>', 'schedule: the cron expression that fired')
    .option('--actions-url <url>', 'the server actions and reusable workflows are fetched from with git (default https://github.com)')
    .option('--offline', 'never fetch actions or reusable workflows; use the action store only', false);
}

/** --server and --token of commands that talk to a Gantry server. */
function withClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the Gantry server (default GANTRY_SERVER, else http://127.0.0.1:8080)')
    .option('--token <token>', 'an API token (default GANTRY_TOKEN)');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof WorkflowDiscoveryError || error instanceof GitError || error instanceof EventError || error instanceof ActionResolutionError) {
      io.err(`gantry: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
