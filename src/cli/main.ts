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
