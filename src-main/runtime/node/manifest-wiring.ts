/**
 * The node's ManifestPublisher built from the components: what goes into our signed manifest
 * (live capabilities, endpoints, mode, certificate) and where a new one is told (discovery's
 * announcement; a `node.manifest.updated` event when reachability changed).
 */
import { toCapabilitySpec } from '../bus';
import { ManifestPublisher } from '../discovery/manifest-publisher';
import { detectHardware, type Endpoint } from '../identity';
import type { Logger } from '../observability';
import { isActiveMember, type NodeComponents } from './components';
import type { CommunityMembership } from './membership';

export interface ManifestWiringInit {
  readonly endpoints: () => Endpoint[];
  /** Epoch ms the node started (uptime). */
  readonly startedAt: number;
  readonly membership: CommunityMembership;
  readonly log: Logger;
}

export function createManifestPublisher(c: NodeComponents, init: ManifestWiringInit): ManifestPublisher {
  const { keys, bus } = c;
  return new ManifestPublisher(
    {
      kp: keys,
      communityId: () => c.community()?.communityId ?? keys.nodeIdFull,
      displayName: () => c.displayName,
      profile: () => c.profile,
      endpoints: init.endpoints,
      capabilities: () => bus.registry.allLocal().map((e) => toCapabilitySpec(e.descriptor)),
      hardware: () => detectHardware({ dataDir: c.config().community.state_dir }),
      load: () => ({ tls_fingerprint: c.tls.fingerprint, mode: c.mode(), in_flight: bus.stats().in_flight_total }),
      uptimeSeconds: () => (c.now() - init.startedAt) / 1000,
    },
    {
      onPublish: (m) =>
        init.membership.scope()?.discovery.updateAnnouncement({ capabilityNames: m.capabilities.map((x) => x.name) }),
      onSignificantChange: (m) => {
        const community = c.community();
        if (!community || !isActiveMember(community, keys.nodeIdFull)) return false;
        community.log.appendLocal('node.manifest.updated', { manifest: m }, keys);
        return true;
      },
      onError: (err) => init.log.warn('manifest publish failed', { error: String(err) }),
    },
  );
}
