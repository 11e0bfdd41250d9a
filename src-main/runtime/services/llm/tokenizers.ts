/** Model-family detection and a cheap token-count estimate for models whose tokenizer we do not hold. */

/** Families we can tell apart by name; `unknown` for the rest. */
export const MODEL_FAMILIES = [
  'qwen',
  'nemotron',
  'minicpm',
  'llama',
  'mistral',
  'gemma',
  'phi',
  'claude',
  'gpt',
  'unknown',
] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/**
 * Average characters per token for English prose, per family. Measured figures published for the
 * families' tokenizers: byte-level BPE with ~150k vocabularies (Qwen, GPT-4o, Llama 3, Gemma 256k)
 * pack ~4 chars/token; Mistral's 32k SentencePiece and Phi's 32k Llama-2 vocabulary ~3.6;
 * MiniCPM's 73k vocabulary ~3.8; Claude ~3.5. Unknown models use 3.5 so that budgets err on the
 * side of "too many tokens" (a refused request beats an overflowed context).
 */
export const CHARS_PER_TOKEN: Readonly<Record<ModelFamily, number>> = Object.freeze({
  qwen: 4.0,
  nemotron: 4.0,
  minicpm: 3.8,
  llama: 4.0,
  mistral: 3.6,
  gemma: 4.0,
  phi: 3.6,
  claude: 3.5,
  gpt: 4.0,
  unknown: 3.5,
});

// Order matters: "nemotron" models are Llama fine-tunes ("llama-3.1-nemotron-70b"), so test it first;
// likewise "mixtral"/"ministral" before anything that contains "llama".
const PATTERNS: ReadonlyArray<readonly [RegExp, ModelFamily]> = [
  [/nemotron/, 'nemotron'],
  [/minicpm/, 'minicpm'],
  [/qwen|qwq/, 'qwen'],
  [/mistral|mixtral|ministral|codestral|devstral/, 'mistral'],
  [/gemma/, 'gemma'],
  [/(^|[^a-z])phi/, 'phi'],
  [/claude/, 'claude'],
  [/(^|[^a-z])(gpt|o[134])([^a-z]|$)|chatgpt/, 'gpt'],
  [/llama|vicuna|tinyllama|stories/, 'llama'],
];

/** "qwen2.5-7b-instruct" -> "qwen", "nvidia/llama-3.1-nemotron-70b" -> "nemotron", "MiniCPM4-8B" -> "minicpm". */
export function modelFamily(modelName: string): ModelFamily {
  const n = modelName.toLowerCase();
  for (const [re, fam] of PATTERNS) if (re.test(n)) return fam;
  return 'unknown';
}

/** Estimated token count of `text` for a family (a family name or any model name); 0 for ''. */
export function countTokensApprox(modelFamilyOrName: string, text: string): number {
  if (text.length === 0) return 0;
  const fam = (MODEL_FAMILIES as readonly string[]).includes(modelFamilyOrName)
    ? (modelFamilyOrName as ModelFamily)
    : modelFamily(modelFamilyOrName);
  // Count code points, not UTF-16 units; non-Latin scripts run ~1 token per 1-2 characters, so
  // count each character outside Latin-1 as half a token.
  let units = 0;
  for (const ch of text) units += (ch.codePointAt(0) ?? 0) > 0xff ? CHARS_PER_TOKEN[fam] / 2 : 1;
  return Math.max(1, Math.ceil(units / CHARS_PER_TOKEN[fam]));
}
