// Diagnostics as people and tools read them: text lines, JSON, or SARIF 2.1.0.

import type { Diagnostic } from '../workflow/types.ts';

export type DiagnosticFormat = 'text' | 'json' | 'sarif';

export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(diagnostics, null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(toSarif(diagnostics), null, 2) + '\n';
    case 'text':
      return diagnostics.map(diagnosticLine).join('');
  }
}

export function diagnosticLine(d: Diagnostic): string {
  const hint = d.hint ? `\n    hint: ${d.hint}` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.rule}]${hint}\n`;
}

const sarifLevels = { error: 'error', warning: 'warning', note: 'note' } as const;

function toSarif(diagnostics: readonly Diagnostic[]) {
  const ruleIds = [...new Set(diagnostics.map((d) => d.rule))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gantry', informationUri: 'https://example.invalid/gantry', rules: ruleIds.map((id) => ({ id })) } },
        results: diagnostics.map((d) => ({
          ruleId: d.rule,
          level: sarifLevels[d.severity],
          message: { text: d.hint ? `${d.message} (hint: ${d.hint})` : d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.file },
                region: { startLine: d.line, startColumn: d.column },
              },
            },
          ],
        })),
      },
    ],
  };
}
