/**
 * The Settings tab's answers: who this household is (in plain words), the community's members,
 * the embedding models it can use, the LLM backends on this machine, and the config changes a
 * household can make from the app (saved to its config file; they apply at the next start).
 */
import { existsSync } from 'node:fs';
import { cp, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CallError, PROFILES, type Profile } from '../../../common';
import type { EmbeddingModelRow, LlmBackendRow, MemberRow, SettingsReport, SettingsUpdateInput } from '..';
import { saveConfig, type Config } from '../../config';
import type { PeerRegistry } from '../../discovery';
import type { KeyPair } from '../../identity';
import { ModelStore } from '../../models';
import { createEmbeddingBackend, isModel2VecDir } from '../../services/embedding';
import { detectLocalServers } from '../../services/llm';
import type { CommunityContext } from '../../node/community-context';

/** What each profile means for a household, in plain words. */
export const PROFILE_EXPLAINED: Readonly<Record<Profile, string>> = {
  anchor: 'An always-on computer that keeps the street’s shared things available and helps the others most.',
  hearth: 'An ordinary household computer: it shares what it can while it is switched on.',
  spark:
    'A small or battery device (a phone, a little board): it takes part lightly and asks others for the heavy work.',
  bridge: 'A computer with a good internet connection that helps the street reach the outside world when it can.',
};

export interface SettingsDeps {
  readonly kp: KeyPair;
  readonly displayName: string;
  readonly profile: Profile;
  readonly config: () => Config;
  readonly configFile?: string;
  readonly apiPort: () => number;
  readonly community: () => CommunityContext | null;
  readonly communityName: () => string;
  readonly peers: PeerRegistry;
  readonly nameOf: (nodeId: string) => string;
}

export function settingsReport(d: SettingsDeps): SettingsReport {
  const config = d.config();
  const c = d.community();
  return {
    node_id: d.kp.nodeIdFull,
    node_id_short: d.kp.nodeIdShort,
    display_name: d.displayName,
    profile: d.profile,
    profile_explained: PROFILE_EXPLAINED[d.profile],
    profiles: PROFILES.map((profile) => ({ profile, explained: PROFILE_EXPLAINED[profile] })),
    community: c ? { id: c.communityId, name: d.communityName() } : null,
    data_dir: config.community.state_dir,
    models_dir: config.node.models_dir,
    config_file: d.configFile ?? null,
    api: { host: config.ui.host, port: d.apiPort() },
    embedding_model: config.embedding.model || null,
  };
}

/** Saves a new name or profile to the config file; the running node keeps its old ones until restarted. */
export function updateSettings(
  d: SettingsDeps,
  q: SettingsUpdateInput,
  apply: (c: Config) => void,
): { settings: SettingsReport; restart_needed: boolean } {
  if (!d.configFile)
    throw new CallError('forbidden', 'this node was started without a config file, so its settings cannot be saved');
  const config = d.config();
  const next: Config = {
    ...config,
    node: {
      ...config.node,
      ...(q.display_name !== undefined ? { display_name: q.display_name.trim() } : {}),
      ...(q.profile ? { profile: q.profile } : {}),
    },
  };
  saveConfig(next, d.configFile);
  apply(next);
  const restart =
    (q.display_name !== undefined && q.display_name.trim() !== d.displayName) ||
    (q.profile !== undefined && q.profile !== d.profile);
  return { settings: settingsReport(d), restart_needed: restart };
}

export function memberRows(d: SettingsDeps): MemberRow[] {
  const c = d.community();
  if (!c) return [];
  const reachable = new Set(
    d.peers
      .all()
      .filter((p) => d.peers.refusalOf(p.node_id_full) === null)
      .map((p) => p.node_id_full as string),
  );
  return c.state.members().map((m) => ({
    node_id: m.node_id,
    node_id_short: d.peers.get(m.node_id)?.node_id ?? m.node_id.slice(0, 24),
    name: d.nameOf(m.node_id),
    level: m.level === 'unknown' ? 'member' : m.level,
    is_self: m.node_id === d.kp.nodeIdFull,
    online: m.node_id === d.kp.nodeIdFull || reachable.has(m.node_id),
    revoked: c.state.isRevoked(m.node_id),
  }));
}

async function folders(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const n of names) if ((await stat(join(dir, n)).catch(() => null))?.isDirectory()) out.push(n);
  return out;
}

const looksLikeEmbedding = (dir: string) =>
  isModel2VecDir(dir) ||
  (existsSync(join(dir, 'tokenizer.json')) &&
    (existsSync(join(dir, 'model.onnx')) || existsSync(join(dir, 'onnx', 'model.onnx'))));

/** Embedding model folders in the models folder (`name` or `org/name`). */
export async function embeddingModels(config: Config): Promise<EmbeddingModelRow[]> {
  const root = config.node.models_dir;
  const rows: EmbeddingModelRow[] = [];
  const add = (name: string, path: string) =>
    rows.push({ name, path, dim: null, in_use: config.embedding.model === name });
  for (const top of await folders(root)) {
    const dir = join(root, top);
    if (looksLikeEmbedding(dir)) add(top, dir);
    else
      for (const sub of await folders(dir))
        if (looksLikeEmbedding(join(dir, sub))) add(`${top}/${sub}`, join(dir, sub));
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One step for a new embedding model: copy its folder into the models folder (checked loadable
 * first) and, with `use`, make it the node's embedding model in the config file.
 */
export async function addEmbeddingModel(
  d: SettingsDeps,
  q: { path: string; use?: boolean },
  apply: (c: Config) => void,
): Promise<EmbeddingModelRow> {
  const st = await stat(q.path).catch(() => null);
  if (!st?.isDirectory())
    throw new CallError(
      'bad_request',
      `path: ${q.path} is not a folder (an embedding model is a folder with model.onnx and tokenizer.json, or a Model2Vec folder)`,
    );
  if (!looksLikeEmbedding(q.path))
    throw new CallError(
      'bad_request',
      `path: ${q.path} does not hold an embedding model (expected model.onnx + tokenizer.json, or a Model2Vec model)`,
    );
  const config = d.config();
  const name = basename(q.path);
  const target = join(config.node.models_dir, name);
  if (existsSync(target))
    throw new CallError(
      'bad_request',
      `an embedding model called "${name}" is already in the models folder (nothing was changed)`,
    );
  await cp(q.path, target, { recursive: true, errorOnExist: true, force: false });
  const resolved = createEmbeddingBackend({ model: name }, { modelsDir: config.node.models_dir });
  if (!resolved.backend) throw new CallError('bad_request', `the copied model cannot be used: ${resolved.explanation}`);
  if (q.use) {
    if (!d.configFile)
      throw new CallError(
        'forbidden',
        'this node was started without a config file, so the embedding model cannot be chosen',
      );
    const next: Config = { ...config, embedding: { ...config.embedding, model: name } };
    saveConfig(next, d.configFile);
    apply(next);
  }
  return { name, path: target, dim: null, in_use: d.config().embedding.model === name };
}

/** LLM backends: configured ones, GGUF files in the models folder, and servers found on 127.0.0.1. */
export async function llmBackends(config: Config): Promise<LlmBackendRow[]> {
  const rows: LlmBackendRow[] = config.llm.backends.map((b) => ({
    kind: b.name,
    url: b.url,
    models: b.model ? [b.model] : [],
    source: 'configured' as const,
  }));
  const files = await new ModelStore(config.node.models_dir).list().catch(() => []);
  if (files.length) rows.push({ kind: 'gguf', url: null, models: files.map((f) => f.name), source: 'found' });
  const found = await detectLocalServers({ timeoutMs: 300 }).catch(() => []);
  for (const s of found) rows.push({ kind: s.kind, url: s.url, models: [...s.models], source: 'found' });
  return rows;
}
