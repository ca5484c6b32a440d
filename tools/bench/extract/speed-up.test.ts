import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ceilingOverMeanCore, speedUpOverMeanCore } from './speed-up.ts';

test('on equal cores the speed-up is the ratio of the two passes', () => {
  assert.equal(speedUpOverMeanCore([20_000, 20_000], 12_500), 1.6);
});

test('a runner that gets the sum of two unequal cores scores 2, not more or less', () => {
  // 600 pages: 100 pages/s on one CPU, 60 on the other; a perfect pool gives 160 pages/s.
  const one = [600_000 / 100, 600_000 / 60];
  const perfect = 600_000 / 160;
  // (Against either CPU alone the same pass would read 1.6 or 2.67.)
  assert.equal(speedUpOverMeanCore(one, perfect).toFixed(6), '2.000000');
});

test('a runner that gets only one core of two scores 1 against the mean core only if the cores are equal', () => {
  assert.equal(speedUpOverMeanCore([10_000, 10_000], 10_000), 1);
  // Stuck on the faster of two unequal cores it scores above 1, on the slower one below.
  assert.ok(speedUpOverMeanCore([10_000, 20_000], 10_000) > 1);
  assert.ok(speedUpOverMeanCore([10_000, 20_000], 20_000) < 1);
});

test('the ceiling is 2 when two processes side by side run as fast as alone, whatever the cores', () => {
  assert.equal(ceilingOverMeanCore([3_000, 5_000], [3_000, 5_000]), 2);
  // Each 10% slower beside the other.
  assert.equal(ceilingOverMeanCore([3_000, 5_000], [3_300, 5_500]).toFixed(4), (2 / 1.1).toFixed(4));
});

test('a pass time that is not positive is refused, not turned into Infinity', () => {
  assert.throws(() => speedUpOverMeanCore([0, 10_000], 5_000), RangeError);
  assert.throws(() => speedUpOverMeanCore([10_000], Number.NaN), RangeError);
  assert.throws(() => ceilingOverMeanCore([], [1]), RangeError);
});
