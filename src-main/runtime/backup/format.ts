/**
 * The backup file `hearthnet export` writes and `hearthnet init --restore` reads
 * (docs/protocol/backup.md): gzip of one JSON document holding the identity (the keys folder,
 * including the private key), the settings, the community's signed event log, its manifest, the
 * known neighbours, and the metadata (not the bytes) of pinned files.
 */
import { Type, type Static } from '@sinclair/typebox';
import Ajv, { type ValidateFunction } from 'ajv';

export const BACKUP_FORMAT = 'hearthnet-backup';
export const BACKUP_VERSION = 1;
/** A backup is read whole into memory; refuse anything larger before parsing. */
export const MAX_BACKUP_BYTES = 1024 * 1024 * 1024;

const KeyFile = Type.Object({
  /** Relative to the keys folder, `/`-separated, no `..`. */
  path: Type.String({ minLength: 1, maxLength: 200, pattern: '^(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9._/-]+$' }),
  data_base64: Type.String({ maxLength: 1_000_000 }),
});

export const BackupSchema = Type.Object({
  format: Type.Literal(BACKUP_FORMAT),
  version: Type.Literal(BACKUP_VERSION),
  created_at: Type.String(),
  /** Full node id of the identity inside, checked against the keys on restore. */
  node_id: Type.String({ minLength: 1 }),
  display_name: Type.String(),
  /** config.toml with every path left to its derived default, so it fits a new machine. */
  config_toml: Type.String(),
  keys: Type.Array(KeyFile, { minItems: 1, maxItems: 64 }),
  community: Type.Union([
    Type.Null(),
    Type.Object({
      id: Type.String({ minLength: 1 }),
      manifest: Type.Union([Type.Null(), Type.Record(Type.String(), Type.Unknown())]),
      /** Every event of the community log, in log order (signed objects, unchanged). */
      events: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    }),
  ]),
  /** known-peers.json as it was (where neighbours were last reached), or null. */
  known_peers: Type.Union([Type.Null(), Type.Unknown()]),
  pinned_files: Type.Object({
    cids: Type.Array(Type.String()),
    /** Blob manifests of the pinned CIDs this node held (chunk lists, sizes, names). */
    manifests: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export type Backup = Static<typeof BackupSchema>;

/** Compiled on first use, so commands that never read a backup do not pay for it at start. */
let validator: ValidateFunction<Backup> | null = null;

/** Checks a parsed document; returns the first problem, or null when it is a backup we can restore. */
export function backupProblem(doc: unknown): string | null {
  const validate = (validator ??= new Ajv({ strict: false, allErrors: false }).compile<Backup>(BackupSchema));
  if (validate(doc)) return null;
  const e = validate.errors?.[0];
  return e ? `${e.instancePath || '(top level)'} ${e.message ?? 'is not valid'}` : 'not a HearthNet backup';
}
