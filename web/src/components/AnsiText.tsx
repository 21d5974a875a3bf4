// One log line with its ANSI colours as CSS classes (so both themes can choose the shades) and the search
// term marked. Anser turns escapes into plain data; nothing here is HTML, so nothing can be injected.

import Anser from 'anser';
import { memo, type ReactNode } from 'react';

function mark(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  if (parts.length === 0) return text;
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

export const AnsiText = memo(function AnsiText({ text, highlight }: { text: string; highlight: string }) {
  const needle = highlight.toLowerCase();
  if (!text.includes('\u001b')) return <>{mark(text, needle)}</>;
  const chunks = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  return (
    <>
      {chunks.map((chunk, index) => {
        const classes = [
          chunk.fg ? `${chunk.fg}-fg` : '',
          chunk.bg ? `${chunk.bg}-bg` : '',
          ...chunk.decorations.map((decoration) => `ansi-${decoration}`),
        ]
          .filter(Boolean)
          .join(' ');
        const style = chunk.fg_truecolor || chunk.bg_truecolor
          ? { color: chunk.fg_truecolor ? `rgb(${chunk.fg_truecolor})` : undefined, backgroundColor: chunk.bg_truecolor ? `rgb(${chunk.bg_truecolor})` : undefined }
          : undefined;
        return (
          <span key={index} className={classes || undefined} style={style}>
            {mark(chunk.content, needle)}
          </span>
        );
      })}
    </>
  );
});
