/** The NodeApi the local API serves (UI, CLI), implemented over a running node's parts. */
import { join } from 'node:path';
import { parseVersion, type Mode, type Profile } from '../../../common';
import type {
  CallInput,
  CapabilityRow,
  InviteCreated,
  NodeApi,
  OnboardingApi,
  OpFrame,
  OpInputs,
  OpName,
  PeerSummary,
  StatusReport,
  TraceRow,
} from '..';
import type { CapabilityBus } from '../../bus';
import type { PeerRecord, PeerRegistry } from '../../discovery';
import type { Frame } from '../../transport';
import type { Endpoint, KeyPair } from '../../identity';
import { decodeInvite, encodeInvite, inviteToQrPng, looksLikeJoinCode, toInviteeId } from '../../onboarding';
import { issueBoundInvite } from '../../node/community-joining';
import { PACKAGE_VERSION } from '../../version';
import type { CommunityContext } from '../../node/community-context';
import type { CommunityScope } from '../../node/community-scope';
import { applyGovernance, coSignAction } from '../../services/governance';
import { runOp } from './ops';
import { createServiceApi } from './services';
import { createAppApi } from './app';
import { DeliveryStates } from './chat-state';
import { Uploads } from './uploads';
import type { Config } from '../../config';
import type { EmergencyState } from '../../emergency';
import { BusError } from '../../bus';
import { OnboardingError } from '../../onboarding';

/** What the API reads from the node; getters because community and mode change at run time. */
export interface NodeApiDeps {
  readonly kp: KeyPair;
  readonly displayName: string;
  readonly profile: Profile;
  readonly startedAt: number;
  readonly bus: CapabilityBus;
  readonly peers: PeerRegistry;
  readonly transportPort: () => number;
  readonly apiPort: () => number;
  readonly endpoints: () => Endpoint[];
  readonly mode: () => Mode;
  readonly community: () => CommunityContext | null;
  readonly scope: () => CommunityScope | null;
  readonly communityName: () => string;
  /** Joins the community of an invite (redeem + persist + start the community parts). */
  readonly joinByInvite: (text: string) => Promise<{ community_id: string; name: string; inviter: string }>;
  /** Start a community, join codes, phones (onboarding.ts). */
  readonly onboarding: OnboardingApi;
  /** The models folder (`config.node.models_dir`) for `models list|add|pull`. */
  readonly modelsDir: string;
  /** Called after a model file lands in the models folder, so the node serves it at once. */
  readonly onModelAdded?: (path: string) => Promise<void>;
  /** The node's config (the Settings tab reads it and saves changes to `configFile`). */
  readonly config: () => Config;
  readonly configFile?: string;
  /** Called with a config saved from the app (the running node takes what it can at once). */
  readonly onConfigSaved?: (c: Config) => void;
  readonly emergencyState: () => EmergencyState;
  /** Calls its listener on every mode change (the emergency state bus); returns the unsubscribe. */
  readonly onEmergencyChange: (listener: () => void) => () => void;
  /** A neighbour's freshly signed manifest (its clock, for the doctor). */
  readonly fetchManifest?: (endpoint: Endpoint) => Promise<{ manifest: Record<string, unknown> }>;
}

function peerSummary(p: PeerRecord, refusesUs: PeerSummary['refuses_us'] = null): PeerSummary {
  return {
    node_id: p.node_id_full,
    node_id_short: p.node_id,
    display_name: p.display_name,
    profile: p.profile,
    endpoints: p.endpoints.map((e) => `${e.transport}://${e.host}:${e.port}`),
    source: p.source,
    last_seen_s_ago: Math.max(0, Math.round((Date.now() - p.last_seen) / 1000)),
    mode: typeof p.manifest?.load.mode === 'string' ? p.manifest.load.mode : null,
    refuses_us: refusesUs,
  };
}

export interface NodeApiWithStream extends NodeApi {
  /** A streamed call, for the API server's SSE endpoint. */
  stream(q: CallInput, signal: AbortSignal): AsyncIterable<Frame>;
  /** A long operation (files.get, rag.ingest, ...), for the API server's `/api/v1/ops/<name>`. */
  op<N extends OpName>(name: N, input: OpInputs[N], signal: AbortSignal): AsyncIterable<OpFrame>;
}

export function createNodeApi(d: NodeApiDeps): NodeApiWithStream {
  const names = () => new Map(d.peers.all().map((p) => [p.node_id_full as string, p.display_name]));
  const requireCommunity = () => {
    const c = d.community();
    if (!c)
      throw new OnboardingError(
        'invite_invalid',
        'this household is not in a community yet: create one with `hearthnet init --community "<name>"` or redeem an invite',
      );
    return c;
  };

  const uploads = new Uploads(
    join(d.config().community.state_dir, 'uploads'),
    join(d.config().community.state_dir, 'shared-uploads'),
  );
  const deliveryStates = new DeliveryStates();
  const services = createServiceApi({ ...d, uploads, deliveryStates });

  const api: NodeApiWithStream = {
    ...services,
    onboarding: d.onboarding,
    ...createAppApi(
      { ...d, uploads, deliveryStates },
      {
        status: () => api.status(),
        peers: () => api.peers(),
        marketList: services.marketList,
        filesList: services.filesList,
      },
    ),

    op(name, input, signal) {
      return runOp(d, name, input, signal);
    },

    status(): StatusReport {
      const snapshot = d.bus.topologySnapshot();
      const c = d.community();
      return {
        version: PACKAGE_VERSION,
        node_id: d.kp.nodeIdFull,
        node_id_short: d.kp.nodeIdShort,
        display_name: d.displayName,
        profile: d.profile,
        mode: d.mode(),
        community: c ? { id: c.communityId, name: d.communityName() } : null,
        peers: d.peers.all().map((p) => peerSummary(p, d.peers.refusalOf(p.node_id_full))),
        event_log: c ? { head: c.log.head(), count: c.log.count() } : { head: 0, count: 0 },
        capabilities: { local: snapshot.capabilities_local.length, remote: snapshot.capabilities_remote.length },
        ports: { transport: d.transportPort(), api: d.apiPort() },
        uptime_s: Math.round((Date.now() - d.startedAt) / 1000),
      };
    },

    capabilities(q): CapabilityRow[] {
      const s = d.bus.topologySnapshot();
      const who = names();
      const rows = [...(q.remoteOnly ? [] : s.capabilities_local), ...(q.localOnly ? [] : s.capabilities_remote)];
      return rows
        .filter((e) => !q.name || e.name === q.name || `${e.name}@${e.version}` === q.name)
        .map((e) => ({
          name: e.name,
          version: e.version,
          node_id: e.node_id,
          node_name: e.is_local ? d.displayName : (who.get(e.node_id) ?? e.node_id),
          is_local: e.is_local,
          params: e.params,
          in_flight: e.in_flight,
          max_concurrent: e.max_concurrent,
          success_rate: e.success_rate,
          p50_latency_ms: e.p50_latency_ms,
          quarantined: e.quarantined_until > Date.now(),
        }));
    },

    async call(q) {
      return d.bus.call(q.capability, parseVersion(q.version), q.body, {
        params: q.params ?? null,
        timeoutMs: q.timeout_ms,
      });
    },

    stream(q, signal) {
      return d.bus.stream(q.capability, parseVersion(q.version), q.body, {
        params: q.params ?? null,
        timeoutMs: q.timeout_ms,
        signal,
      });
    },

    traces(q): TraceRow[] {
      return d.bus
        .recentTraces(q.capability ? 10_000 : (q.n ?? 50))
        .filter((t) => !q.capability || t.capability === q.capability)
        .slice(0, q.n ?? 50)
        .map((t) => ({ ...t }));
    },

    peers: () => d.peers.all().map((p) => peerSummary(p, d.peers.refusalOf(p.node_id_full))),

    async addPeer(q) {
      const scope = d.scope();
      if (!scope) throw new BusError('forbidden', 'join a community before adding neighbours by address');
      return peerSummary(await scope.discovery.addPeer(q.host, q.port));
    },

    async createInvite(q): Promise<InviteCreated> {
      const c = requireCommunity();
      const blob = issueBoundInvite(
        { kp: d.kp, community: c, name: d.communityName(), endpoints: d.endpoints() },
        toInviteeId(q.nodeId),
        q.level,
        q.ttlSeconds,
      );
      const png = await inviteToQrPng(blob);
      return {
        text: encodeInvite(blob),
        invitee: blob.invitee_node_id,
        level: blob.initial_level,
        expires_at: blob.expires_at,
        bootstrap: blob.bootstrap_endpoints.map((e) => `${e.host}:${e.port}`),
        qr_png_base64: png.toString('base64'),
      };
    },

    governance(q) {
      return applyGovernance(d.kp, requireCommunity(), q as never);
    },

    cosign(q) {
      return coSignAction(d.kp, requireCommunity().communityId, q as never);
    },

    async redeemInvite(q) {
      // fail fast with the precise code (a join code is checked by the inviter's node)
      if (!looksLikeJoinCode(q.text)) decodeInvite(q.text, { ourNodeId: d.kp.nodeIdFull });
      return d.joinByInvite(q.text);
    },
  };
  return api;
}
