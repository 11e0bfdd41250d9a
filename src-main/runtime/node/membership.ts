/**
 * The community-scoped set as one part: while the node belongs to a community, its scope
 * (discovery, sync, peers -> bus, the community services) runs; joining starts it, leaving (or
 * stopping the node) stops it and closes the log. Started at boot when the config names a
 * community, or at run time once the node starts or joins one.
 */
import type { Endpoint } from '../identity';
import { rootNodeOf, type CommunityManifest } from '../identity';
import type { Startable } from '../lifecycle';
import { readCommunityManifest, writeCommunityManifest } from '../config/community-file';
import { openCommunity, type CommunityContext } from './community-context';
import { CommunityScope } from './community-scope';
import type { NodeComponents, NodeState } from './components';

export type MembershipComponents = Pick<
  NodeComponents,
  'logger' | 'metrics' | 'keys' | 'config' | 'files' | 'displayName' | 'profile' | 'transport' | 'bus' | 'peers'
>;

export interface MembershipInit {
  /** The node's live state: `community` is set while the scope runs. */
  readonly state: NodeState;
  /** The port neighbours reach the peer server on. */
  readonly transportPort: () => number;
  /** Pace of sync rounds (tests speed it up). */
  readonly syncIntervalMs?: number;
  /** Told once the scope runs (the node republishes its manifest). */
  readonly onJoined: () => void;
}

export class CommunityMembership implements Startable {
  #scope: CommunityScope | null = null;

  constructor(
    private readonly c: MembershipComponents,
    private readonly init: MembershipInit,
  ) {}

  scope(): CommunityScope | null {
    return this.#scope;
  }

  /** Open (or create) the community's log and membership view; `join` then starts its parts. */
  open(communityId: string): CommunityContext {
    const log = this.c.logger.forComponent('node');
    return openCommunity({
      dbPath: this.c.files.eventLog,
      communityId,
      onRejected: (e, reason) =>
        log.warn('community event refused', { event_id: e.event_id, type: e.event_type, reason }),
      log,
    });
  }

  /** The root-signed community manifest: built by the founder, stored by everyone else. */
  manifest(): CommunityManifest | null {
    const c = this.init.state.community;
    if (!c) return null;
    if (rootNodeOf(c.communityId) === this.c.keys.nodeIdFull && c.state.created) return c.state.toManifest(this.c.keys);
    return readCommunityManifest(this.c.files.communityManifest);
  }

  name(): string {
    return this.init.state.community?.state.name() || this.manifest()?.name || '';
  }

  /** At boot: join the configured community, if any. */
  async start(): Promise<void> {
    const id = this.c.config().community.community_id;
    if (!id || this.#scope) return;
    const c = this.open(id);
    try {
      await this.join(c);
    } catch (err) {
      c.close();
      throw err;
    }
  }

  /** Start the community's parts for an open context (the caller closes it if this throws). */
  async join(c: CommunityContext, bootstrap?: readonly Endpoint[]): Promise<void> {
    const scope = new CommunityScope(this.c, {
      community: c,
      transportPort: this.init.transportPort(),
      bootstrap,
      syncIntervalMs: this.init.syncIntervalMs,
    });
    await scope.start();
    this.#scope = scope;
    this.init.state.community = c;
    const cm = this.manifest();
    if (cm) writeCommunityManifest(this.c.files.communityManifest, cm);
    this.init.onJoined();
  }

  /** Stop the community's parts and close its log. Idempotent. */
  async stop(): Promise<void> {
    const s = this.#scope;
    this.#scope = null;
    this.init.state.community = null;
    await s?.stop();
    s?.community.close();
  }
}
