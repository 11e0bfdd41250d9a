/** The local API's Host and Origin rules (issue 15 item 8): exact names and ports, same-origin writes only. */
import { describe, expect, it } from 'vitest';
import { allowedHosts, checkHostAndOrigin } from '../../../src-main/runtime/api/host-guard';

describe('Host and Origin allow-list', () => {
  const local = allowedHosts(7860, { lan: false });

  it('accepts loopback names on the listener port only', () => {
    for (const h of ['127.0.0.1:7860', 'localhost:7860', '[::1]:7860', 'LOCALHOST:7860'])
      expect(checkHostAndOrigin('GET', h, undefined, local), h).toBeNull();
    for (const h of ['127.0.0.1:7861', 'evil.example:7860', '127.0.0.1', 'localhost.evil.example:7860', undefined])
      expect(checkHostAndOrigin('GET', h, undefined, local), String(h)).not.toBeNull();
  });

  it('lets writes through only from the same origin (or from clients that send none)', () => {
    expect(checkHostAndOrigin('POST', '127.0.0.1:7860', undefined, local)).toBeNull();
    expect(checkHostAndOrigin('POST', '127.0.0.1:7860', 'http://127.0.0.1:7860', local)).toBeNull();
    for (const o of [
      'http://localhost:7860',
      'http://evil.example',
      'null',
      'https://127.0.0.1:7860',
      'http://127.0.0.1:7861',
      'file://',
    ]) {
      expect(checkHostAndOrigin('POST', '127.0.0.1:7860', o, local), o).not.toBeNull();
    }
    // Reads never change anything; a foreign page cannot read the reply anyway (no CORS).
    expect(checkHostAndOrigin('GET', '127.0.0.1:7860', 'http://evil.example', local)).toBeNull();
  });

  it('handles the default port and bracketed IPv6 hosts', () => {
    const port80 = allowedHosts(80, { lan: false, extra: ['[fd00::2]'] });
    expect(checkHostAndOrigin('POST', 'localhost', 'http://localhost', port80)).toBeNull();
    expect(checkHostAndOrigin('POST', '[fd00::2]:80', 'http://[fd00::2]', port80)).toBeNull();
    expect(checkHostAndOrigin('POST', 'localhost:80', 'http://evil.example', port80)).not.toBeNull();
  });
});
