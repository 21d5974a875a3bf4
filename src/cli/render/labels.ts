// Words, icons and colours shared by the renderers and the summary.

import type { Annotation, Conclusion } from '../../engine/events.ts';
import type { Paint, Palette } from './ansi.ts';

/** Single-column icons, so rows of the live view line up. */
export const conclusionIcons: Record<Conclusion, string> = {
  success: '✓',
  failure: '✗',
  cancelled: '⊘',
  skipped: '↷',
};

export const queuedIcon = '○';

export function conclusionPaint(conclusion: Conclusion, palette: Palette): Paint {
  switch (conclusion) {
    case 'success':
      return palette.green;
    case 'failure':
      return palette.red;
    case 'cancelled':
      return palette.yellow;
    case 'skipped':
      return palette.dim;
  }
}

export function annotationPaint(level: Annotation['level'], palette: Palette): Paint {
  switch (level) {
    case 'error':
      return palette.red;
    case 'warning':
      return palette.yellow;
    case 'notice':
      return palette.blue;
  }
}

/** `src/app.py:3:7`, `src/app.py:3`, `src/app.py`, or empty without a file. */
export function annotationLocation(annotation: Annotation): string {
  if (!annotation.file) return '';
  if (annotation.line === undefined) return annotation.file;
  return annotation.col === undefined ? `${annotation.file}:${annotation.line}` : `${annotation.file}:${annotation.line}:${annotation.col}`;
}

/** `error src/app.py:3: Title: message`, as a compiler would print it. */
export function annotationText(annotation: Annotation, palette: Palette): string {
  const location = annotationLocation(annotation);
  const level = annotationPaint(annotation.level, palette)(annotation.level);
  const title = annotation.title ? `${annotation.title}: ` : '';
  return `${level}${location ? ` ${location}` : ''}: ${title}${annotation.message}`;
}
