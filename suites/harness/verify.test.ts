import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verify, VerificationError } from './verify.ts';

const failure = (fn: () => void): VerificationError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof VerificationError, String(error));
    return error;
  }
  assert.fail('expected the verification to fail');
};

describe('verify', () => {
  it('passes what holds', () => {
    verify(200, 'status').toBe(200);
    verify({ width: 48, height: 48, extra: undefined }, 'size').toEqual({ width: 48, height: 48 });
    verify(['48x48', '64x64'], 'sizes').toEqual(['48x48', '64x64']);
    verify(204, 'status').toBeLessThan(300);
    verify(0, 'zero is defined').toBeDefined();
    verify('"1a2b3c4d"', 'etag').toBeTruthy();
    verify('"a"', 'etag').not.toBe('"b"');
  });

  it('fails with what, expected and received', () => {
    const e = failure(() => verify(404, 'GET /me/photo').toBe(200));
    assert.equal(e.message, 'GET /me/photo\n\nExpected: 200\nReceived: 404');
    assert.equal(e.expected, 200);
    assert.equal(e.actual, 404);
  });

  it('fails each kind of comparison', () => {
    failure(() => verify({ width: 48 }, 'size').toEqual({ width: 64 }));
    failure(() => verify(['48x48'], 'sizes').toEqual(['48x48', '64x64']));
    failure(() => verify(300, 'status').toBeLessThan(300));
    failure(() => verify('204' as unknown, 'status').toBeLessThan(300));
    failure(() => verify(undefined, 'decoded').toBeDefined());
    failure(() => verify('', 'etag').toBeTruthy());
    const e = failure(() => verify('"a"', 'etag').not.toBe('"a"'));
    assert.match(e.message, /Expected anything but: '"a"'/);
  });

  it('compares structure, not identity, and keeps types apart', () => {
    failure(() => verify({ width: '48' } as unknown, 'size').toEqual({ width: 48 }));
    failure(() => verify(NaN, 'nan').not.toBe(NaN));
    verify(NaN, 'nan').toBe(NaN);
  });
});
