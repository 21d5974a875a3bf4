import { countErrors, lintPaths } from '../lint/index.ts';
import { DEFAULT_WORKFLOWS_DIR } from '../workflow/load.ts';
import { formatDiagnostics, type DiagnosticFormat } from './diagnostics-format.ts';
import type { CommandIO } from './io.ts';

export interface LintOptions {
  format: DiagnosticFormat;
}

export async function lintCommand(paths: string[], options: LintOptions, io: CommandIO): Promise<number> {
  const report = await lintPaths(paths.length > 0 ? paths : [DEFAULT_WORKFLOWS_DIR]);
  io.out(formatDiagnostics(report.diagnostics, options.format));
  const errors = countErrors(report.diagnostics);
  if (options.format === 'text') {
    const warnings = report.diagnostics.length - errors;
    io.err(`${report.files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)\n`);
  }
  return errors > 0 ? 1 : 0;
}
