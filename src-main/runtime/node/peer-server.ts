/**
 * The peer transport server (reference §17 step 10) built from the components: its providers
 * read the node's live state (the community scope, the manifest publisher), so it can start
 * before the node belongs to a community and serve it once it does.
 */
import { networkInterfaces } from 'node:os';
import { CallError } from '../../common';
import type { CommunityManifest, Endpoint, NodeManifest } from '../identity';
import type { JoinCodeBook } from '../onboarding';
import { HttpServer, PubSubServer, RateLimiter } from '../transport';
import { joinCodeEndpoint } from './community-joining';
import type { CommunityScope } from './community-scope';
import { isActiveMember, type NodeComponents } from './components';

export interface PeerServerInit {
  readonly port: number;
  readonly joinCodes: JoinCodeBook;
  readonly scope: () => CommunityScope | null;
  readonly nodeManifest: () => NodeManifest | undefined;
  readonly communityManifest: () => CommunityManifest | null;
  readonly communityName: () => string;
  readonly endpoints: () => Endpoint[];
  /** Rate limits other than the reference's (tests use low ones to hit them deterministically). */
  readonly rateLimits?: { softPerCap?: number; hardPerCap?: number; softTotal?: number; hardTotal?: number };
}

export type PeerServerComponents = Pick<NodeComponents, 'keys' | 'tls' | 'config' | 'bus' | 'metrics' | 'community'>;

export function createPeerServer(c: PeerServerComponents, init: PeerServerInit): HttpServer {
  const { metrics, bus } = c;
  const noCommunity = () => new CallError('forbidden', 'this node has not joined a community yet');
  const scope = () => {
    const s = init.scope();
    if (!s) throw noCommunity();
    return s;
  };
  return new HttpServer({
    kp: c.keys,
    tls: c.tls,
    host: c.config().transport.host,
    port: init.port,
    handler: bus,
    nodeManifest: init.nodeManifest,
    communityManifest: () =>
      init.communityManifest() ?? Promise.reject(new CallError('not_found', 'this node has no community yet')),
    sync: {
      heads: async () => scope().syncServer.serveHeads(),
      events: async (caller, body) => scope().syncServer.serveEvents(body, caller),
    },
    pubsub: new PubSubServer(),
    blobs: {
      async *serveChunks(caller, req, signal) {
        yield* scope().services.files.serveChunks(caller, req, signal);
      },
    },
    join: joinCodeEndpoint({
      kp: c.keys,
      book: init.joinCodes,
      current: c.community,
      communityName: init.communityName,
      endpoints: init.endpoints,
    }),
    isAllowed: (id) => isActiveMember(c.community(), id),
    isRevoked: (id) => !!c.community()?.state.isRevoked(id),
    rateLimiter: new RateLimiter({
      ...init.rateLimits,
      onRateLimited: (capability, reason) => metrics.std.rateLimitedTotal.inc({ capability, reason }),
    }),
    metricsText: () => metrics.text(),
    traceRecent: (n) => bus.recentTraces(n),
    onSignatureFailure: (reason) => metrics.std.signatureFailuresTotal.inc({ reason }),
  });
}

/** The addresses neighbours can reach us on: the bound host, or every LAN IPv4 address. */
export function advertisedEndpoints(host: string, port: number): Endpoint[] {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return [{ transport: 'https', host, port }];
  const hosts: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) hosts.push(a.address);
  }
  if (hosts.length === 0) hosts.push('127.0.0.1');
  return hosts.map((h) => ({ transport: 'https', host: h, port }));
}
