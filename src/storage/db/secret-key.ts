// The key secrets are encrypted with (AES-256-GCM): from GANTRY_SECRET_KEY, or a key file made
// with 0600 permissions in the data folder. A check value kept in the database makes a changed
// key a clear error at start instead of secrets that no longer decrypt.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class SecretKeyError extends Error {}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** 64 hex digits or base64 of 32 bytes. */
export function parseSecretKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(`${origin}: expected a 256-bit key as 64 hex digits or 44 base64 characters (e.g. from "openssl rand -base64 32")`);
  }
  return key;
}

/** GANTRY_SECRET_KEY when set, else `<dataDir>/secret.key`, created on first start. */
export function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = env.GANTRY_SECRET_KEY;
  if (fromEnv) return parseSecretKey(fromEnv, 'GANTRY_SECRET_KEY');
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SecretKeyError(`${file}: the secret key file is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  }
  return parseSecretKey(readFileSync(file, 'utf8'), file);
}

export class SecretBox {
  constructor(private readonly key: Buffer) {}

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Throws when the value was not encrypted with this key. */
  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

const CHECK_TEXT = 'gantry secret key check';

export function keyCheckValue(box: SecretBox): string {
  return box.encrypt(CHECK_TEXT);
}

export function keyMatches(box: SecretBox, check: string): boolean {
  try {
    return box.decrypt(check) === CHECK_TEXT;
  } catch {
    return false;
  }
}
