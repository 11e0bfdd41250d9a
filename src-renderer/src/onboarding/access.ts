/**
 * How this page gets into the local API. On the computer: the household token, handed over once in
 * the URL fragment (`#token=...`, what `hearthnet open` opens) and kept for the session. On a phone
 * on the LAN: its own device token, obtained once by pairing (`#pair=<code>` from the QR code in
 * Settings) and kept in localStorage (docs/protocol/phone-access.md).
 */
const SESSION_KEY = 'hearthnet-token';
const DEVICE_KEY = 'hearthnet-device-token';

/** Whether this page is served by the phone (LAN) listener rather than on this computer (desktop app: app://, never). */
export function onLanPage(): boolean {
  return location.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname);
}

function takeFromHash(name: string): string | null {
  const params = new URLSearchParams(location.hash.slice(1));
  const value = params.get(name);
  if (value) history.replaceState(null, '', location.pathname + location.search);
  return value;
}

/** The bearer token for API calls ('' when there is none: the API then says how to get in). */
export function accessToken(): string {
  if (onLanPage()) return localStorage.getItem(DEVICE_KEY) ?? '';
  const fromHash = takeFromHash('token');
  if (fromHash) sessionStorage.setItem(SESSION_KEY, fromHash);
  return sessionStorage.getItem(SESSION_KEY) ?? '';
}

/** Why the last pairing failed (shown by NoAccess), or null. */
export let pairingProblem: string | null = null;

export interface PairingOutcome {
  readonly ok: boolean;
  readonly message?: string;
}

/** Call before the first API call: if the page was opened from a pairing code, trade it for this phone's token. */
export async function completePairing(): Promise<PairingOutcome | null> {
  if (!location.hash.includes('pair=')) return null;
  const code = takeFromHash('pair');
  if (!code) return null;
  try {
    const res = await fetch('/pair', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, name: phoneName() }),
    });
    const body = (await res.json()) as { token?: string; error?: { message?: string } };
    if (!res.ok || !body.token) {
      pairingProblem = body.error?.message ?? 'the computer refused the pairing code';
      return { ok: false, message: pairingProblem };
    }
    localStorage.setItem(DEVICE_KEY, body.token);
    return { ok: true };
  } catch {
    pairingProblem = 'the computer running HearthNet did not answer';
    return { ok: false, message: pairingProblem };
  }
}

function phoneName(): string {
  const ua = navigator.userAgent;
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/iPad/.test(ua)) return 'iPad';
  if (/Android/.test(ua)) return 'Android phone';
  return 'Phone';
}
