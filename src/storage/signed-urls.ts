// URLs that carry their own permission, as Azure's SAS URLs do: an HMAC of the
// operation, the path and the expiry, checked without any other credential.

import { createHmac, timingSafeEqual } from 'node:crypto';

export class UrlSigner {
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    this.key = key;
  }

  private signature(operation: string, pathname: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${operation}\n${pathname}\n${expires}`).digest('base64url');
  }

  /** `pathname` with `sig`, `se` (expiry, ms since the epoch) and `sp` (operation) query parameters. */
  sign(operation: 'read' | 'write', pathname: string, lifetimeMs = 6 * 3600_000): string {
    const expires = Date.now() + lifetimeMs;
    return `${pathname}?sp=${operation}&se=${expires}&sig=${this.signature(operation, pathname, expires)}`;
  }

  /** True when the query signs `operation` on `pathname` and has not expired. */
  verify(operation: 'read' | 'write', pathname: string, query: Record<string, unknown>): boolean {
    const expires = Number(query.se);
    if (query.sp !== operation || !Number.isFinite(expires) || expires < Date.now() || typeof query.sig !== 'string') return false;
    const expected = Buffer.from(this.signature(operation, pathname, expires));
    const given = Buffer.from(query.sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
