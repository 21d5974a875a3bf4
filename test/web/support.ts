// What the browser tests share: a real gantry server with a registered repository, Chromium, and helpers
// for webhooks, screenshots and page checks.

import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Where page screenshots go: docs/screenshots (committed, shown in the README) when UPDATE_SCREENSHOTS=1,
 * else the test's own temporary folder, so an ordinary `npm test` leaves the working tree clean.
 */
export function screenshotDir(temporary: string): string {
  const dir = process.env['UPDATE_SCREENSHOTS'] === '1' ? path.join(root, 'docs', 'screenshots') : path.join(temporary, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function pushWebhook(serverUrl: string, secret: string, repoName: string, sha: string, actor = 'octo'): Promise<number[]> {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: sha,
    head_commit: { id: sha },
    repository: { name: repoName, full_name: `team/${repoName}` },
    sender: { login: actor },
  });
  const response = await fetch(`${serverUrl}/hooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { runs: number[] }).runs;
}

/** Every form control on the page has a name a screen reader can read. */
export async function assertLabelled(page: Page): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button, a[href]')]
      .filter((element) => {
        const html = element as HTMLElement;
        if (html.closest('[aria-hidden="true"]') || html.offsetParent === null) return false;
        const labelled = (html as HTMLInputElement).labels?.length || html.getAttribute('aria-label') || html.getAttribute('aria-labelledby');
        return !labelled && !html.textContent?.trim();
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabelled, [], 'controls without an accessible name');
}
