/**
 * Who may talk to the local API at all (issue 15 item 8): the `Host` header must name this
 * computer (127.0.0.1, localhost, ::1 — and its LAN names and addresses only on the phone listener
 * or when the household binds the API to the LAN), and a state-changing request that carries an
 * `Origin` must come from that same host. Defeats DNS rebinding (a foreign name resolving to
 * 127.0.0.1) and cross-site form posts; there is no CORS, so other origins cannot read replies.
 */
import { hostname, networkInterfaces } from 'node:os';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** This computer's LAN names and IPv4/IPv6 addresses (IPv6 in brackets, as in a Host header). */
export function lanNames(): string[] {
  const names = new Set<string>();
  const h = hostname().toLowerCase();
  if (h) {
    names.add(h);
    if (!h.includes('.')) names.add(`${h}.local`);
  }
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      names.add(a.family === 'IPv6' ? `[${a.address.split('%')[0].toLowerCase()}]` : a.address);
    }
  }
  return [...names];
}

/** `host[:port]` values accepted for a listener on `port`. */
export function allowedHosts(port: number, opts: { lan: boolean; extra?: readonly string[] }): Set<string> {
  const names = [...LOOPBACK_NAMES, ...(opts.lan ? lanNames() : []), ...(opts.extra ?? [])];
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n}:${port}`);
    if (port === 80) out.add(n);
  }
  return out;
}

export type GuardRefusal = { status: 403; message: string } | null;

/** Null when the request may proceed; else why not (said in plain words, no detail leaked). */
export function checkHostAndOrigin(
  method: string,
  host: string | undefined,
  origin: string | undefined,
  allowed: ReadonlySet<string>,
): GuardRefusal {
  const h = (host ?? '').toLowerCase();
  if (!allowed.has(h))
    return { status: 403, message: 'this HearthNet answers only to its own address (open it with `hearthnet open`)' };
  if (SAFE_METHODS.has(method.toUpperCase()) || origin === undefined) return null;
  let originHost: string;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:') throw new Error('scheme');
    originHost = u.host.toLowerCase();
  } catch {
    return { status: 403, message: 'requests from other web pages are refused' };
  }
  // URL drops a default port; compare against the Host the browser sent.
  const withPort = originHost.includes(':') && !originHost.endsWith(']') ? originHost : `${originHost}:80`;
  if (originHost !== h && withPort !== h) return { status: 403, message: 'requests from other web pages are refused' };
  return null;
}
