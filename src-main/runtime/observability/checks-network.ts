/** Standard doctor checks about sockets: mDNS, UDP multicast, the transport port. Bind, then close. */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Check } from './doctor';

/** The mDNS port. */
export const MDNS_PORT = 5353;

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(err);
}

/** Bind a UDP socket (optionally joining a group), then close it. Rejects with the socket error. */
function probeUdp(port: number, reuseAddr: boolean, join?: { group: string; iface?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type: 'udp4', reuseAddr });
    const close = () => {
      try {
        sock.close();
      } catch {
        // already closed by a bind failure
      }
    };
    const fail = (err: unknown) => {
      close();
      reject(err);
    };
    sock.once('error', fail);
    sock.bind(port, () => {
      try {
        if (join) sock.addMembership(join.group, join.iface);
      } catch (err) {
        fail(err);
        return;
      }
      close();
      resolve();
    });
  });
}

export function mdnsSocketCheck(opts: { port?: number } = {}): Check {
  const port = opts.port ?? MDNS_PORT;
  return async (ctx) => {
    if (!ctx.config.discovery.mdns_enabled) return { ok: true, detail: 'mDNS discovery is turned off in the config' };
    try {
      await probeUdp(port, true);
      return { ok: true, detail: `can listen for mDNS on UDP port ${port}` };
    } catch (err) {
      return {
        ok: false,
        detail: `cannot listen on UDP port ${port}: ${errText(err)}`,
        fix: 'Another program holds the mDNS port exclusively. Restart the computer; if it persists, HearthNet still finds neighbours through UDP discovery.',
      };
    }
  };
}

export function udpMulticastCheck(opts: { interfaceAddress?: string } = {}): Check {
  return async (ctx) => {
    const { udp_enabled, udp_port, udp_multicast_group } = ctx.config.discovery;
    if (!udp_enabled) return { ok: true, detail: 'UDP discovery is turned off in the config' };
    try {
      await probeUdp(udp_port, true, { group: udp_multicast_group, iface: opts.interfaceAddress });
      return { ok: true, detail: `can join ${udp_multicast_group} on UDP port ${udp_port}` };
    } catch (err) {
      return {
        ok: false,
        detail: `cannot join multicast group ${udp_multicast_group} on UDP port ${udp_port}: ${errText(err)}`,
        fix: 'Make sure this computer is connected to your home network (Wi-Fi or cable) and that a firewall allows HearthNet. If another program uses the port, set a different [discovery] udp_port for every node.',
      };
    }
  };
}

export const transportPort: Check = async (ctx) => {
  const { host, port } = ctx.config.transport;
  if (port === 0) return { ok: true, detail: 'a free port is picked at start (transport.port = 0)' };
  if (ctx.ownTransportPort === port) return { ok: true, detail: `port ${port} is held by this running node` };
  const err = await new Promise<unknown>((resolve) => {
    const srv = createServer();
    srv.once('error', resolve);
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(null)));
  });
  if (err === null) return { ok: true, detail: `port ${port} on ${host} is free` };
  const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  return {
    ok: false,
    detail: `cannot listen on ${host}:${port}: ${errText(err)}`,
    fix: inUse
      ? `Another program (or another HearthNet) uses port ${port}. Close it, or set [transport] port = 0 in the config to pick a free port.`
      : `Check that [transport] host = "${host}" is an address of this computer (use "0.0.0.0" for all).`,
  };
};
