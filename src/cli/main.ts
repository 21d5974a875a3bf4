// The `gantry` command line: argument parsing and exit codes only; each command
// lives in its own module and drives the layers below.

import { Command, CommanderError, Option } from 'commander';
import { WorkflowDiscoveryError } from '../workflow/load.ts';
import { processIO, UsageError, type CommandIO } from './io.ts';
import { lintCommand } from './lint-command.ts';

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
    .action(async (paths: string[], options) => setExitCode(await lintCommand(paths, options, io)));

  return program;
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
    if (error instanceof UsageError || error instanceof WorkflowDiscoveryError) {
      io.err(`gantry: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
