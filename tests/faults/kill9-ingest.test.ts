/**
 * Fault injection: `hearthnet run` killed with SIGKILL during a RAG ingest. After a restart every
 * database of the home passes `PRAGMA integrity_check`, and ingesting again works.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databasesUnder, initHome, integrityCheck, startNodeProcess, type NodeProcess } from './node-process';

const homes: string[] = [];
const running: NodeProcess[] = [];
afterAll(async () => {
  await Promise.allSettled(running.map((n) => n.kill9()));
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** Starts an op of the node's local API; resolves with the SSE text (or what arrived before the node died). */
function op(home: string, name: string, input: unknown): Promise<string> {
  const info = JSON.parse(readFileSync(join(home, 'state', 'runtime.json'), 'utf8')) as {
    api_port: number;
    api_token: string;
  };
  return fetch(`http://127.0.0.1:${info.api_port}/api/v1/ops/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${info.api_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  })
    .then((r) => r.text())
    .catch((err: unknown) => `failed: ${String(err)}`);
}

describe('kill -9 during a RAG ingest', () => {
  it('every database passes integrity_check after the restart, and the document can be ingested again', async () => {
    const home = await initHome('hn-fault-rag-');
    homes.push(home);
    const doc = join(home, 'manual.md');
    const paragraphs: string[] = [];
    for (let i = 0; i < 3000; i++)
      paragraphs.push(
        `## Section ${i}\n\nTo fix the pump number ${i}, close valve ${i % 17} and turn the handle ${i % 5} times before opening it again.`,
      );
    writeFileSync(doc, paragraphs.join('\n\n'));
    const node = await startNodeProcess(home);
    running.push(node);
    const ingest = op(home, 'rag.ingest', { path: doc, corpus: 'manuals', title: 'Pump manual' });
    await new Promise((r) => setTimeout(r, 400));
    await node.kill9();
    await ingest;

    const dbs = databasesUnder(home);
    expect(dbs.length).toBeGreaterThan(0);
    for (const db of dbs) expect(integrityCheck(db), db).toBe('ok');
    const again = await startNodeProcess(home);
    running.push(again);
    const frames = await op(home, 'rag.ingest', { path: doc, corpus: 'manuals', title: 'Pump manual' });
    expect(frames, frames.slice(-400)).toMatch(/event: done/);
    const corpora = (await again.call('ragList')).data as Array<{ corpus: string; documents: number }>;
    expect(corpora.find((c) => c.corpus === 'manuals')?.documents).toBeGreaterThanOrEqual(1);
    expect(await again.stop()).toBe(0);
    for (const db of databasesUnder(home)) expect(integrityCheck(db), db).toBe('ok');
  }, 240_000);
});
