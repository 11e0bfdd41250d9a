/** Plain words for the Emergency tab: what still works, and the places the probes ask. */

const FEATURES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^chat\./, 'Messages to your neighbours'],
  [/^market\./, 'The street’s noticeboard'],
  [/^file|^blob/, 'Sharing and downloading files'],
  [/^llm\./, 'Asking the street’s models'],
  [/^rag\.|^embed/, 'Searching the street’s documents'],
  [/^stt\./, 'Turning speech into text'],
  [/^tts\./, 'Reading text aloud'],
];

/** "Asking the street’s models (alice, bob)": one line per feature, households merged. */
export function stillWorksWords(rows: ReadonlyArray<{ capability: string; households: readonly string[] }>): string[] {
  const byFeature = new Map<string, Set<string>>();
  for (const r of rows) {
    const hit = FEATURES.find(([re]) => re.test(r.capability));
    if (!hit) continue;
    const set = byFeature.get(hit[1]) ?? new Set<string>();
    r.households.forEach((h) => set.add(h));
    byFeature.set(hit[1], set);
  }
  // Messages, noticeboard and files work on every household even if no row lists them.
  for (const always of ['Messages to your neighbours', 'The street’s noticeboard', 'Sharing and downloading files'])
    if (!byFeature.has(always)) byFeature.set(always, new Set());
  return FEATURES.map(([, word]) => word)
    .filter((w) => byFeature.has(w))
    .map((w) => {
      const who = [...(byFeature.get(w) ?? [])].sort(); // filtered to present features above
      return who.length
        ? `${w} (${who.length > 3 ? `${who.slice(0, 3).join(', ')} and ${who.length - 3} more` : who.join(', ')})`
        : w;
    });
}

/** "example.org" from a probe target (a URL, host:port, or a plain host). */
export function probeName(target: string): string {
  try {
    const u = new URL(target.includes('://') ? target : `http://${target}`);
    return u.hostname === '127.0.0.1' || u.hostname === 'localhost'
      ? `a test server on this computer (port ${u.port || 80})`
      : u.hostname;
  } catch {
    return target;
  }
}
