import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireRunLock, NodeLockedError } from '../../../src-main/runtime/config/run-lock';

const dir = mkdtempSync(join(tmpdir(), 'hn-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run lock', () => {
  it('a second holder in the same process is refused at once; after release it can be taken again', () => {
    const path = join(dir, 'state', 'node.lock');
    const first = acquireRunLock(path);
    expect(() => acquireRunLock(path)).toThrow(NodeLockedError);
    expect(() => acquireRunLock(path)).toThrow(/already running/);
    first.release();
    first.release(); // idempotent
    const again = acquireRunLock(path);
    again.release();
  });
});
