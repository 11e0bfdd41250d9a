/**
 * M09 probes and the detector against REAL servers on 127.0.0.1 only: an HTTP server we stop and
 * restart, and a UDP DNS responder behind an injected resolver. No traffic leaves the machine.
 */
import { promises as dns } from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mode } from '../../../src-main/common';
import {
  Detector,
  EmergencyError,
  httpReachable,
  ipUrl,
  makeProbe,
  parseProbeTarget,
  StateBus,
} from '../../../src-main/runtime/emergency';
import { startDnsResponder, type DnsResponder } from './dns-responder';

interface TestServer {
  port: number;
  hosts: string[];
  close(): Promise<void>;
}

async function startHttp(port = 0): Promise<TestServer> {
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    hosts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function resolverFor(dnsPort: number): dns.Resolver {
  const r = new dns.Resolver({ timeout: 500, tries: 1 });
  r.setServers([`127.0.0.1:${dnsPort}`]);
  return r;
}

function waitForMode(bus: StateBus, mode: Mode, ms = 5_000): Promise<void> {
  if (bus.current().mode === mode) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`mode ${mode} not reached in ${ms} ms (now ${bus.current().mode})`));
    }, ms);
    const off = bus.on((s) => {
      if (s.mode === mode) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('parseProbeTarget', () => {
  it('classifies IPs, hostnames and URLs, and names a bad target', () => {
    expect(parseProbeTarget('1.1.1.1').kind).toBe('ip');
    expect(parseProbeTarget('2606:4700:4700::1111').kind).toBe('ip');
    expect(parseProbeTarget('cloudflare.com').kind).toBe('hostname');
    expect(parseProbeTarget('http://127.0.0.1:8080/x')).toMatchObject({ kind: 'url', host: '127.0.0.1' });
    for (const bad of ['', 'has space.com', 'ftp://x', '-bad-.com']) {
      try {
        parseProbeTarget(bad);
        expect.unreachable(`accepted ${bad}`);
      } catch (e) {
        expect(e).toBeInstanceOf(EmergencyError);
        expect((e as EmergencyError).code).toBe('bad_probe_target');
        expect((e as EmergencyError).wireCode).toBe('bad_request');
      }
    }
    expect(ipUrl('::1', 8080).href).toBe('http://[::1]:8080/');
    expect(ipUrl('1.1.1.1').href).toBe('http://1.1.1.1/');
  });
});

describe('real probes on 127.0.0.1', () => {
  it('HTTP: any response is reachable; a closed port is not', async () => {
    const s = await startHttp();
    const url = new URL(`http://127.0.0.1:${s.port}/missing`);
    expect(await httpReachable(url, { timeoutMs: 1_000 })).toBe(true);
    await s.close();
    expect(await httpReachable(url, { timeoutMs: 1_000 })).toBe(false);
  });

  it('HTTP: a server that never answers times out as unreachable; an abort ends the probe at once', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), silent.close(() => r()))));
    const url = new URL(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`);
    const t0 = Date.now();
    expect(await httpReachable(url, { timeoutMs: 150 })).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1_500);
    const ac = new AbortController();
    const p = httpReachable(url, { timeoutMs: 10_000, signal: ac.signal });
    ac.abort();
    expect(await p).toBe(false);
  });

  it('hostname: DNS through the injected resolver, then HEAD to the resolved address with the Host header', async () => {
    const s = await startHttp();
    cleanups.push(() => s.close());
    const d: DnsResponder = await startDnsResponder({ 'hearth.test': '127.0.0.1' });
    cleanups.push(() => d.close());
    const probe = makeProbe({ resolver: resolverFor(d.port), hostnameHttpPort: s.port, timeoutMs: 1_000 });
    const signal = new AbortController().signal;
    expect(await probe('hearth.test', signal)).toBe(true);
    expect(s.hosts).toEqual(['hearth.test']);
    expect(await probe('nowhere.test', signal)).toBe(false);
    expect(d.queries).toEqual(['hearth.test', 'nowhere.test']);
    expect(await probe(`http://127.0.0.1:${s.port}/health`, signal)).toBe(true);
  });
});

describe('Detector with real probes', () => {
  it('goes offline when the HTTP server stops and online again when it restarts', async () => {
    let s = await startHttp();
    const port = s.port;
    cleanups.push(() => s.close());
    const d = await startDnsResponder({ 'hearth.test': '127.0.0.1' });
    cleanups.push(() => d.close());
    const calls = { enter: 0, leave: 0 };
    const bus = new StateBus();
    const det = new Detector({
      targets: [`http://127.0.0.1:${port}/health`, 'hearth.test'],
      stateBus: bus,
      probe: makeProbe({ resolver: resolverFor(d.port), hostnameHttpPort: port, timeoutMs: 300 }),
      debounceSeconds: 0.2,
      intervalOnline: 0.05,
      intervalOffline: 0.05,
      effects: { onEnterOffline: () => void (calls.enter += 1), onLeaveOffline: () => void (calls.leave += 1) },
    });
    cleanups.push(() => det.stop());
    det.start();
    await expect.poll(() => Object.keys(bus.current().probe_results).length, { timeout: 3_000 }).toBe(2);
    expect(bus.current().mode).toBe('online');

    await s.close();
    await waitForMode(bus, 'offline');
    expect(bus.current().probe_results).toEqual({ [`http://127.0.0.1:${port}/health`]: false, 'hearth.test': false });
    expect(calls).toEqual({ enter: 1, leave: 0 });

    s = await startHttp(port);
    await waitForMode(bus, 'online');
    expect(calls).toEqual({ enter: 1, leave: 1 });
    await det.stop();
  });
});
