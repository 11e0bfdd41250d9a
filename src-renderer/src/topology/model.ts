/**
 * What the topology view draws, independent of where it comes from: the node's `Topology` and
 * `TraceRow`s in the app, synthetic data in bench/ui. Capability names become household words here.
 */

export interface GraphHousehold {
  readonly id: string;
  readonly name: string;
  readonly isSelf: boolean;
  readonly online: boolean;
  /** Capability names with versions ("llm.chat@1.0"). */
  readonly capabilities: readonly string[];
  readonly models: readonly string[];
  readonly collections: readonly string[];
}

export interface GraphLink {
  readonly from: string;
  readonly to: string;
}

export interface StreetGraph {
  readonly households: readonly GraphHousehold[];
  readonly links: readonly GraphLink[];
}

/** One finished call between two households, to animate. */
export interface LiveCall {
  readonly from: string;
  readonly to: string;
  readonly capability: string;
  readonly ok: boolean;
}

const WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^llm\./, 'answers questions'],
  [/^rag\.|^embed/, 'searches documents'],
  [/^chat\./, 'messages'],
  [/^market\./, 'noticeboard'],
  [/^file|^blob/, 'shares files'],
  [/^stt\.|^speech/, 'understands speech'],
  [/^tts\./, 'reads aloud'],
];

/** "answers questions, shares files" — what a household can do for the street, in plain words. */
export function whatItOffers(capabilities: readonly string[]): string[] {
  const out = new Set<string>();
  for (const c of capabilities) {
    const hit = WORDS.find(([re]) => re.test(c));
    if (hit) out.add(hit[1]);
  }
  return [...out];
}

/** "Alice's computer asked Bob's for an answer" style, short: the word for a call's capability. */
export function callWord(capability: string): string {
  return whatItOffers([capability])[0] ?? 'a request';
}
