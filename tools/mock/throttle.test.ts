import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBuckets } from './throttle.ts';
import { call, startTestServer, T, userToken } from './testing.ts';

describe('throttling emulation', () => {
  it('grants a burst per app, then asks to wait, and refills with time', () => {
    let now = 0;
    const buckets = new TokenBuckets({ requestsPerSecond: 2, burst: 3, now: () => now });
    assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a')], [0, 0, 0]);
    assert.equal(buckets.take('a'), 1);
    assert.equal(buckets.take('b'), 0, 'another app has its own budget');
    now += 500; // one token back at 2 per second
    assert.equal(buckets.take('a'), 0);
    assert.equal(buckets.take('a'), 1);
  });

  it('answers 429 with Retry-After once the app is over budget, and is off by default', async () => {
    const throttled = await startTestServer({ throttle: { requestsPerSecond: 0.01, burst: 2 } });
    const open = await startTestServer();
    try {
      const token = await userToken(throttled, 'outlook', T.aliceUpn, 'alice-pw', ['User.Read']);
      const statuses = [];
      let last;
      for (let i = 0; i < 3; i++) {
        last = await call(throttled, 'GET', '/api/beta/me/photo', { token });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.match(last!.headers.get('retry-after') ?? '', /^\d+$/);
      assert.equal(last!.json().error.code, 'TooManyRequests');
      await throttled.reset();
      assert.equal((await call(throttled, 'GET', '/api/beta/me/photo', { token })).status, 200, 'reset refills the budget');

      const openToken = await userToken(open, 'outlook', T.aliceUpn, 'alice-pw', ['User.Read']);
      for (let i = 0; i < 5; i++) assert.equal((await call(open, 'GET', '/api/beta/me/photo', { token: openToken })).status, 200);
    } finally {
      await throttled.close();
      await open.close();
    }
  });
});
