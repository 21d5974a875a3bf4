// Webhook authenticity: HMAC-SHA256 signatures (GitHub, Gitea/Forgejo, gantry hooks) and GitLab's
// shared token, all compared in constant time.

import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time independent of where they differ.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** `sha256=<hex>` (X-Hub-Signature-256) or bare hex (X-Gitea-Signature). */
export function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const hex = signature.startsWith('sha256=') ? signature.slice('sha256='.length) : signature;
  return constantTimeEqual(hmacHex(secret, body), hex.toLowerCase());
}

export function tokenMatches(secret: string, token: string): boolean {
  return constantTimeEqual(secret, token);
}
