/** What a Node is started with, and what a running one offers its callers (tests, the CLI, the desktop app). */
import type { CapabilityBus } from '../bus';
import type { Config } from '../config';
import type { NodeFiles } from '../config/node-paths';
import type { PeerRegistry } from '../discovery';
import type { KeyPair, NodeManifest } from '../identity';
import type { Logger, Metrics } from '../observability';
import type { NodeApiWithStream } from '../api/node-api/node-api';
import type { Telemetry } from '../observability/telemetry';
import type { HttpClient } from '../transport';
import type { AiServices } from './ai-services';
import type { CommunityContext } from './community-context';
import type { CommunityScope } from './community-scope';
import type { EmergencyInit, EmergencyWiring } from './emergency-wiring';

export interface StartNodeOptions {
  /** A resolved config (`loadConfig` resolves paths). */
  readonly config: Config;
  /** Where the config came from; the community id is saved there after an invite is redeemed. */
  readonly configFile?: string;
  /** Name prefixed to every log line (tests: alice, bob, carol). */
  readonly name?: string;
  /** Overrides `transport.port` (0 = a free port). */
  readonly transportPort?: number;
  /** Overrides `ui.port` for the local API (0 = a free port). */
  readonly apiPort?: number;
  /** Port phones reach the app on when phone access is on (default `ui.port` + 1; 0 = a free port). */
  readonly lanPort?: number;
  /** Also log to stderr. */
  readonly logToStderr?: boolean;
  /** Write `<state>/runtime.json` so CLI commands find this node (default true). */
  readonly writeRuntimeFile?: boolean;
  /** Pace of sync rounds (tests speed it up). */
  readonly syncIntervalMs?: number;
  /** Rate limits other than the reference's (tests use low ones to hit them deterministically). */
  readonly rateLimits?: { softPerCap?: number; hardPerCap?: number; softTotal?: number; hardTotal?: number };
  /** The built web UI to serve on the local API (default: out/renderer of this checkout). */
  readonly webRoot?: string;
  /** Look for LLM servers already running on 127.0.0.1 when none is configured (default true). */
  readonly autodetectLlm?: boolean;
  /** Emergency detector overrides (tests inject probes, clocks and short debounces). */
  readonly emergency?: EmergencyInit['detector'];
}

export interface RunningNode {
  readonly kp: KeyPair;
  readonly config: Config;
  readonly files: NodeFiles;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly bus: CapabilityBus;
  readonly peerRegistry: PeerRegistry;
  readonly client: HttpClient;
  readonly transportPort: number;
  readonly apiPort: number;
  readonly apiToken: string;
  /** What the UI and the CLI call (also served over the local API). */
  readonly api: NodeApiWithStream;
  readonly emergency: EmergencyWiring;
  readonly ai: AiServices;
  /** Trackio / OTLP exporters (observability.trackio_project / otlp_endpoint); idle when neither is set. */
  readonly telemetry: Telemetry;
  /** The community's log and membership, once the node belongs to one. */
  community(): CommunityContext | null;
  /** The community scope (its services: market, chat, files, rag), once the node belongs to one. */
  scope(): CommunityScope | null;
  /** The signed manifest this node currently serves. */
  manifest(): NodeManifest;
  /** Reconcile the event log with every known peer now. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}
