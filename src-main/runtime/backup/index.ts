/** backup/: `hearthnet export`, `init --restore` and `erase` (docs/protocol/backup.md). */
export { BACKUP_FORMAT, BACKUP_VERSION, backupProblem, type Backup } from './format';
export { buildBackup, encodeBackup, portableConfig, summarise, type ExportSummary } from './export';
export { readBackupFile, restoreBackup, RestoreError, type RestoreSummary } from './restore';
export { erasePlan, runErase, type ErasePlan } from './erase';
