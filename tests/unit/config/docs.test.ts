/** docs/config.md names every key of the config schema, and every retired key, so the doc stays true. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, LlmBackendSchema, RETIRED_KEYS, SECTIONS } from '../../../src-main/runtime/config/schema';

const doc = readFileSync(join(__dirname, '../../../docs/config.md'), 'utf8');

describe('docs/config.md', () => {
  it('has a row for every key, under its section', () => {
    const missing: string[] = [];
    for (const section of SECTIONS) {
      const heading = section === 'llm' ? '## `[[llm.backends]]`' : `## \`[${section}]\``;
      const start = doc.indexOf(heading);
      if (start < 0) {
        missing.push(heading);
        continue;
      }
      const end = doc.indexOf('\n## ', start + 1);
      const body = doc.slice(start, end < 0 ? undefined : end);
      const keys =
        section === 'llm'
          ? Object.keys(LlmBackendSchema.properties)
          : Object.keys(ConfigSchema.properties[section].properties);
      for (const key of keys) if (!body.includes(`| \`${key}\` |`)) missing.push(`${section}.${key}`);
    }
    expect(missing).toEqual([]);
  });

  it('lists every retired key with the same reason the loader gives', () => {
    for (const [key, why] of Object.entries(RETIRED_KEYS)) {
      expect(doc).toContain(`| \`${key}\` | ${why} |`);
    }
  });
});
