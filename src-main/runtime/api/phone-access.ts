/**
 * Phones on the LAN (docs/protocol/phone-access.md). Off by default. A household turns it on in
 * Settings; each phone pairs once by opening a single-use pairing link (shown as a QR code) and
 * gets its own device secret, which it sends as `Authorization: Bearer phone.<id>.<secret>`.
 * Plain-http LAN pages have no WebCrypto, so the credential is a bearer secret, not a key pair:
 * only its SHA-256 is stored, it is checked in constant time, and forgetting a phone revokes it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CallError, type Unchecked } from '../../common';
import type { PairedPhone } from './onboarding-contract';

/** A pairing link works once, for this long. */
export const PAIRING_TTL_MS = 10 * 60_000;
const MAX_PHONES = 64;
const MAX_OPEN_PAIRINGS = 16;
const MAX_PHONE_NAME = 64;

interface StoredPhone extends PairedPhone {
  readonly secret_sha256: string;
}

interface StoredState {
  enabled: boolean;
  phones: StoredPhone[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class PhoneRegistry {
  private state: StoredState;
  private readonly pairings = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.state = existsSync(path) ? PhoneRegistry.read(path) : { enabled: false, phones: [] };
  }

  private static read(path: string): StoredState {
    try {
      // The user's file: nothing in it is trusted until checked.
      const v = JSON.parse(readFileSync(path, 'utf8')) as Unchecked<StoredState>;
      const phones = Array.isArray(v.phones)
        ? (v.phones as Array<Unchecked<StoredPhone> | null>).filter(
            (p): p is StoredPhone => !!p && typeof p.id === 'string' && typeof p.secret_sha256 === 'string',
          )
        : [];
      return { enabled: v.enabled === true, phones };
    } catch {
      // A damaged file means no phone is trusted: safe, and the household can pair again.
      return { enabled: false, phones: [] };
    }
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  get enabled(): boolean {
    return this.state.enabled;
  }

  setEnabled(enabled: boolean): void {
    if (!enabled) this.pairings.clear();
    this.state = { ...this.state, enabled };
    this.save();
  }

  list(): PairedPhone[] {
    return this.state.phones.map((p) => {
      const seen = this.lastSeen.get(p.id);
      return {
        id: p.id,
        name: p.name,
        paired_at: p.paired_at,
        last_seen_at: seen ? new Date(seen).toISOString() : p.last_seen_at,
      };
    });
  }

  /** A new single-use pairing code (valid PAIRING_TTL_MS). */
  newPairing(): { code: string; expiresAtMs: number } {
    if (!this.state.enabled) throw new CallError('forbidden', 'turn on phone access first');
    const t = this.now();
    for (const [c, exp] of this.pairings) if (exp <= t) this.pairings.delete(c);
    while (this.pairings.size >= MAX_OPEN_PAIRINGS) this.pairings.delete(this.pairings.keys().next().value as string);
    const code = randomBytes(16).toString('base64url');
    const expiresAtMs = t + PAIRING_TTL_MS;
    this.pairings.set(code, expiresAtMs);
    return { code, expiresAtMs };
  }

  /** Trades a pairing code for this phone's device token (shown to the phone once, never stored). */
  pair(code: string, name: string): { id: string; token: string } {
    if (!this.state.enabled) throw new CallError('forbidden', 'phone access is turned off on this computer');
    const exp = this.pairings.get(code);
    this.pairings.delete(code);
    if (exp === undefined)
      throw new CallError(
        'forbidden',
        'this pairing code is not valid (each one works once); show a new one in Settings on the computer',
      );
    if (this.now() >= exp)
      throw new CallError('expired', 'this pairing code has expired; show a new one in Settings on the computer');
    if (this.state.phones.length >= MAX_PHONES)
      throw new CallError(
        'capacity_exceeded',
        `at most ${MAX_PHONES} phones can be paired; forget one in Settings first`,
      );
    const id = randomBytes(6).toString('base64url');
    const secret = randomBytes(24).toString('base64url');
    const cleanName =
      name
        .replace(/[\u0000-\u001f\u007f]/g, '')
        .trim()
        .slice(0, MAX_PHONE_NAME) || 'Phone';
    const phone: StoredPhone = {
      id,
      name: cleanName,
      paired_at: new Date(this.now()).toISOString(),
      last_seen_at: null,
      secret_sha256: sha256(secret),
    };
    this.state = { ...this.state, phones: [...this.state.phones, phone] };
    this.save();
    return { id, token: `phone.${id}.${secret}` };
  }

  /** The paired phone a bearer token belongs to, or null (also null while phone access is off). */
  authenticate(token: string | undefined): PairedPhone | null {
    if (!this.state.enabled || !token) return null;
    const m = /^phone\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!m) return null;
    const phone = this.state.phones.find((p) => p.id === m[1]);
    if (!phone) return null;
    const a = Buffer.from(sha256(m[2]));
    const b = Buffer.from(phone.secret_sha256);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    this.lastSeen.set(phone.id, this.now());
    return phone;
  }

  forget(id: string): void {
    this.state = { ...this.state, phones: this.state.phones.filter((p) => p.id !== id) };
    this.lastSeen.delete(id);
    this.save();
  }
}
