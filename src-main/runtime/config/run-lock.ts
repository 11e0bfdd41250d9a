/**
 * One home, one node: `<state>/node.lock`, held for the node's whole life. The lock is an SQLite
 * exclusive transaction on that file, i.e. an OS file lock (fcntl): the kernel drops it when the
 * process ends in any way (kill -9 included), so there is no stale lock to guess about, and two
 * `run`s started at the same moment cannot both take it. SQLite also sees the lock between two
 * connections of one process, so nodes started in tests behave the same.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HearthError } from '../../common';

/** Thrown when another node already holds the home's lock. */
export class NodeLockedError extends HearthError<'node_running'> {
  constructor(path: string, cause?: unknown) {
    super('node_running', `a HearthNet node is already running for this household (it holds ${path}); stop it first`, {
      cause,
      details: { path },
    });
  }
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Takes the lock at `path` or throws NodeLockedError at once (it never waits). */
export function acquireRunLock(path: string): RunLock {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new NodeLockedError(path, err);
    throw err;
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}
