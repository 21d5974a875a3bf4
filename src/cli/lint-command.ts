import { ActionStore } from '../actions/store/action-store.ts';
import { remoteWorkflowFetcher } from '../actions/store/workflow-fetcher.ts';
import { countErrors, lintPaths } from '../lint/index.ts';
import { DEFAULT_WORKFLOWS_DIR } from '../workflow/load.ts';
import { formatDiagnostics, type DiagnosticFormat } from './diagnostics-format.ts';
import type { CommandIO } from './io.ts';

export interface LintOptions {
  format: DiagnosticFormat;
}

export async function lintCommand(paths: string[], options: LintOptions, io: CommandIO): Promise<number> {
  // Lint never fetches: reusable workflows of other repositories are checked when the store has them.
  const fetchRemote = remoteWorkflowFetcher(new ActionStore({ offline: true }));
  const report = await lintPaths(paths.length > 0 ? paths : [DEFAULT_WORKFLOWS_DIR], { fetchRemote });
  io.out(formatDiagnostics(report.diagnostics, options.format));
  const errors = countErrors(report.diagnostics);
  if (options.format === 'text') {
    const warnings = report.diagnostics.length - errors;
    io.err(`${report.files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)\n`);
  }
  return errors > 0 ? 1 : 0;
}
