/** A sighting: "node X says it can be reached at host:port" — unverified until its manifest checks out. */
import type { PeerSource } from './peers';

export interface Sighting {
  /** Full node id the announcement claims; absent for bootstrap/manual endpoints (unknown until fetched). */
  readonly nodeIdFull?: string;
  readonly host: string;
  readonly port: number;
  readonly source: PeerSource;
}

export type SightingHandler = (s: Sighting) => void;
