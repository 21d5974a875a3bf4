// Step summaries are written by workflow steps, so they are untrusted: Markdown goes through DOMPurify
// before it reaches the page.

import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'] });
}

export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
