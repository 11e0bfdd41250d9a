/**
 * Reachability probes (M09 §3.2 of ../shared/spec/hearthnet-reference.md `_probe_dns` / `_probe_http`). A target is an IP (HTTP HEAD to
 * `http://<ip>/`), a hostname (DNS A lookup through an injectable resolver, then HTTP HEAD to the
 * resolved address) or an http(s) URL (HEAD to it). Any HTTP response counts as reachable.
 */
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { EMERGENCY_PROBE_TIMEOUT_SECONDS } from '../../common';
import { EmergencyError } from './errors';

export type TargetKind = 'ip' | 'hostname' | 'url';

/** A parsed probe target. */
export interface ProbeTarget {
  readonly raw: string;
  readonly kind: TargetKind;
  /** The IP or hostname (for a URL: its host). */
  readonly host: string;
}

/** Probes one target; resolves true when reachable. Must settle soon after `signal` aborts. */
export type ProbeFn = (target: string, signal: AbortSignal) => Promise<boolean>;

/** The part of `dns.promises.Resolver` the probes use, so tests can point it at 127.0.0.1. */
export interface DnsResolver {
  resolve4(host: string): Promise<string[]>;
}

export interface ProbeOptions {
  /** Per request; default EMERGENCY_PROBE_TIMEOUT_SECONDS (2 s). */
  readonly timeoutMs?: number;
  /** Default: a fresh `dns.promises.Resolver` on the system's servers, one try. */
  readonly resolver?: DnsResolver;
  /** Port of the HTTP HEAD that follows a hostname's DNS lookup; default 80 (tests use their server's). */
  readonly hostnameHttpPort?: number;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Parse a configured target; throws EmergencyError('bad_probe_target') naming it otherwise. */
export function parseProbeTarget(raw: string): ProbeTarget {
  const text = raw.trim();
  if (isIP(text)) return { raw, kind: 'ip', host: text };
  if (/^https?:\/\//i.test(text)) {
    try {
      const u = new URL(text);
      return { raw, kind: 'url', host: u.hostname };
    } catch (cause) {
      throw new EmergencyError('bad_probe_target', `probe target "${raw}" is not a valid URL`, {
        details: { target: raw },
        cause,
      });
    }
  }
  if (HOSTNAME.test(text)) return { raw, kind: 'hostname', host: text };
  throw new EmergencyError(
    'bad_probe_target',
    `probe target "${raw}" is not an IP address, a hostname or an http(s) URL; fix emergency.probe_targets in the config`,
    { details: { target: raw } },
  );
}

/** `http://<ip>/`, bracketing IPv6. */
export function ipUrl(ip: string, port?: number): URL {
  const host = isIP(ip) === 6 ? `[${ip}]` : ip;
  return new URL(`http://${host}${port === undefined || port === 80 ? '' : `:${port}`}/`);
}

/**
 * HTTP(S) HEAD without keep-alive; true on any response (a 404 still proves the path works),
 * false on connection error, timeout or abort. Never rejects.
 */
export function httpReachable(
  url: URL,
  opts: { timeoutMs: number; signal?: AbortSignal; hostHeader?: string },
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const mod = url.protocol === 'https:' ? https : http;
    const headers = opts.hostHeader ? { host: opts.hostHeader } : undefined;
    const req = mod.request(url, { method: 'HEAD', agent: false, headers }, (res) => {
      res.resume();
      finish(true);
    });
    const timer = setTimeout(() => finish(false), opts.timeoutMs);
    timer.unref();
    const onAbort = () => finish(false);
    function finish(ok: boolean): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(ok);
    }
    req.on('error', () => finish(false));
    if (opts.signal?.aborted) {
      finish(false);
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

/** First IPv4 address of `host`, or null on failure / timeout / abort. Never rejects. */
export function resolveFirst(
  host: string,
  resolver: DnsResolver,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<string | null> {
  return new Promise<string | null>((resolve) => {
    let settled = false;
    const finish = (addr: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(addr);
    };
    const timer = setTimeout(() => finish(null), opts.timeoutMs);
    timer.unref();
    const onAbort = () => finish(null);
    if (opts.signal?.aborted) {
      finish(null);
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    resolver.resolve4(host).then(
      (addrs) => finish(addrs[0] ?? null),
      () => finish(null),
    );
  });
}

/** The real probe: what the node uses. Targets are parsed per call (cheap) so errors name them. */
export function makeProbe(opts: ProbeOptions = {}): ProbeFn {
  const timeoutMs = opts.timeoutMs ?? EMERGENCY_PROBE_TIMEOUT_SECONDS * 1000;
  const resolver = opts.resolver ?? new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  const port = opts.hostnameHttpPort ?? 80;
  return async (raw, signal) => {
    const t = parseProbeTarget(raw);
    if (t.kind === 'ip') return httpReachable(ipUrl(t.host), { timeoutMs, signal });
    if (t.kind === 'url') return httpReachable(new URL(raw.trim()), { timeoutMs, signal });
    // Hostname: DNS through our resolver, then HEAD to that address so the system resolver
    // (and its cache) cannot answer for a dead upstream.
    const addr = await resolveFirst(t.host, resolver, { timeoutMs, signal });
    if (addr === null) return false;
    return httpReachable(ipUrl(addr, port), { timeoutMs, signal, hostHeader: t.host });
  };
}
