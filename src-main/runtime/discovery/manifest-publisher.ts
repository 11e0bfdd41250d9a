/**
 * M12 ManifestPublisher: keeps this node's signed manifest fresh (rebuilt every
 * MANIFEST_REPUBLISH_INTERVAL_SECONDS and whenever capabilities change), tells discovery, and
 * records a `node.manifest.updated` event when what neighbours need to reach us changes
 * (endpoints, certificate, capabilities, name, mode) — so every member learns every member's
 * endpoints from the log even where multicast is blocked.
 */
import { canonicalJson, MANIFEST_REPUBLISH_INTERVAL_SECONDS, MANIFEST_TTL_SECONDS, type Profile } from '../../common';
import {
  buildNodeManifest,
  type CapabilitySpec,
  type Endpoint,
  type HardwareSpec,
  type KeyPair,
  type NodeManifest,
} from '../identity';
import { PeriodicTask } from '../lifecycle';

export interface ManifestSource {
  readonly kp: KeyPair;
  communityId(): string;
  displayName(): string;
  profile(): Profile;
  endpoints(): Endpoint[];
  capabilities(): CapabilitySpec[];
  hardware(): HardwareSpec;
  /** Load figures; must include `tls_fingerprint` and `mode`. */
  load(): Record<string, unknown>;
  uptimeSeconds(): number;
}

export interface ManifestPublisherOptions {
  readonly intervalMs?: number;
  /** Called with each new manifest (discovery re-announces). */
  readonly onPublish?: (manifest: NodeManifest) => void;
  /**
   * Called when the reachability-relevant part changed (the node appends node.manifest.updated).
   * Returns false when it could not record it yet (no community): it is offered again next time.
   */
  readonly onSignificantChange?: (manifest: NodeManifest) => boolean;
  readonly onError?: (err: unknown) => void;
}

/** The part of a manifest whose change neighbours must hear about through the log. */
function significant(m: NodeManifest): string {
  return canonicalJson({
    display_name: m.display_name,
    profile: m.profile,
    endpoints: m.endpoints,
    capabilities: m.capabilities.map((c) => [c.name, c.version, c.schema_hash, c.params]),
    tls: m.load.tls_fingerprint ?? null,
    mode: m.load.mode ?? null,
  });
}

export class ManifestPublisher {
  private manifest: NodeManifest | null = null;
  private lastSignificant = '';
  private readonly task: PeriodicTask;

  constructor(
    private readonly src: ManifestSource,
    private readonly opts: ManifestPublisherOptions = {},
  ) {
    this.task = new PeriodicTask(
      () => void this.publish(),
      opts.intervalMs ?? MANIFEST_REPUBLISH_INTERVAL_SECONDS * 1000,
      opts.onError,
    );
  }

  start(): void {
    this.publish();
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** The current manifest, rebuilt first if it is close to expiry. */
  current(): NodeManifest {
    const m = this.manifest;
    if (!m || Date.parse(m.expires_at) - Date.now() < (MANIFEST_TTL_SECONDS * 1000) / 3) return this.publish();
    return m;
  }

  /** Rebuild and announce now (capabilities or mode changed). */
  publish(): NodeManifest {
    const s = this.src;
    const m = buildNodeManifest({
      kp: s.kp,
      communityId: s.communityId(),
      displayName: s.displayName(),
      profile: s.profile(),
      endpoints: s.endpoints(),
      hardware: s.hardware(),
      capabilities: s.capabilities(),
      uptimeSeconds: s.uptimeSeconds(),
      load: s.load(),
    });
    this.manifest = m;
    this.opts.onPublish?.(m);
    const sig = significant(m);
    if (sig !== this.lastSignificant && (this.opts.onSignificantChange?.(m) ?? true)) this.lastSignificant = sig;
    return m;
  }
}
