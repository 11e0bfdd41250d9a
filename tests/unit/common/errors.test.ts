import { describe, expect, it } from 'vitest';
import { CallError, HTTP_STATUS, httpStatusOf, toWireError } from '../../../src-main/common';
import { IdentityError } from '../../../src-main/runtime/identity';
import { BusError } from '../../../src-main/runtime/bus';
import { BlobError } from '../../../src-main/runtime/blobs';

describe('error vocabulary', () => {
  it('maps domain errors to the reference §0.4 wire codes and HTTP statuses', () => {
    const cases: [unknown, string, number][] = [
      [new IdentityError('invalid_signature', 'x'), 'invalid_signature', 401],
      [new IdentityError('expired', 'x'), 'expired', 410],
      [new BusError('schema_mismatch', 'x'), 'schema_mismatch', 400],
      [new BusError('not_found', 'x'), 'not_found', 404],
      [new BusError('capacity_exceeded', 'x'), 'capacity_exceeded', 429],
      [new BusError('quarantined', 'x'), 'partition', 503],
      [new BusError('partition', 'x'), 'partition', 503],
      [new BusError('timeout', 'x'), 'timeout', 408],
      [new BlobError('not_found', 'x'), 'not_found', 404],
      [new BlobError('hash_mismatch', 'x'), 'bad_request', 400],
      [new BlobError('disk_full', 'x'), 'capacity_exceeded', 429],
    ];
    for (const [err, code, status] of cases) {
      expect(toWireError(err).code).toBe(code);
      expect(httpStatusOf(err)).toBe(status);
    }
  });

  it('never leaks a stack or a foreign message', () => {
    const wire = toWireError(new Error('secret path /home/x'));
    expect(wire).toEqual({ code: 'internal_error', message: 'internal error' });
    expect(HTTP_STATUS[wire.code]).toBe(500);
  });

  it('carries retry and alternatives', () => {
    const err = new CallError('capacity_exceeded', 'busy', { retryAfterMs: 250, altNodes: ['n2'] });
    expect(toWireError(err)).toEqual({
      code: 'capacity_exceeded',
      message: 'busy',
      retry_after_ms: 250,
      alt_nodes: ['n2'],
    });
    expect(CallError.fromWire(toWireError(err)).retryAfterMs).toBe(250);
    const busy = new BusError('capacity_exceeded', 'busy', { details: { retry_after_ms: 100 } });
    expect(toWireError(busy).retry_after_ms).toBe(100);
    expect(busy).toBeInstanceOf(BusError);
    expect(busy.name).toBe('BusError');
  });

  it('carries a machine-readable reason both ways, and omits it when there is none', () => {
    const err = new CallError('forbidden', 'go away', { reason: 'revoked' });
    const wire = toWireError(err);
    expect(wire).toEqual({ code: 'forbidden', message: 'go away', reason: 'revoked' });
    expect(CallError.fromWire(wire).reason).toBe('revoked');
    expect(toWireError(new CallError('forbidden', 'go away'))).not.toHaveProperty('reason');
    expect(CallError.fromWire({ code: 'forbidden', message: 'old peer' }).reason).toBeNull();
  });
});
