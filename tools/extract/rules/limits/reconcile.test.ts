import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidSpec } from '../../../spec/io.ts';
import type { SourceRef } from '../../../spec/model.ts';
import { SpecBuilder } from '../../merge.ts';
import { extractPage } from '../../page.ts';
import { MEGABYTE } from './index.ts';
import { reconcileLimits, type LimitEntry } from './reconcile.ts';

const ref = (source: string, line: number): SourceRef => ({ source, ref: `${source}.md:${line}:1`, line, column: 1 });
const entry = (source: string, date: string, subject: 'request' | 'photo', mb: number, line = 3): LimitEntry => ({ api: 'graph', version: 'v1.0', subject, value: mb * MEGABYTE, ref: ref(source, line), date, source });

test('request and photo are reconciled apart; the newest page wins each; a photo above the request is noted', () => {
  const { limits, conflicts, notes } = reconcileLimits([entry('old', '2015-10-25', 'request', 4), entry('new', '2022-07-19', 'photo', 8, 19), entry('new', '2022-07-19', 'request', 4, 21)]);
  assert.deepEqual(limits.map((l) => [l.version, l.subject ?? 'request', l.maxRequestBytes / MEGABYTE, l.sources.map((s) => s.ref)]), [
    ['v1.0', 'request', 4, ['new.md:21:1', 'old.md:3:1']],
    ['v1.0', 'photo', 8, ['new.md:19:1']],
  ]);
  assert.deepEqual(conflicts, []);
  assert.equal(notes.length, 1);
  assert.match(notes[0]?.message ?? '', /photo limit \(8 MB\) is above the request limit \(4 MB\)/);
});

test('pages that disagree on the same subject: a conflict keeping every value, resolved to the newest', () => {
  const { limits, conflicts } = reconcileLimits([entry('a', '2019-07-31', 'request', 4), entry('b', '2020-07-04', 'request', 8)]);
  assert.equal(limits[0]?.maxRequestBytes, 8 * MEGABYTE);
  assert.equal(conflicts[0]?.id, 'graph.v1.0/limits/request-size');
  assert.deepEqual(conflicts[0]?.values.map((v) => [v.value, v.sources.map((s) => s.source)]), [
    [4 * MEGABYTE, ['a']],
    [8 * MEGABYTE, ['b']],
  ]);
});

const updatePage = (path: string, date: string, sentences: string[]) =>
  extractPage({
    path,
    text: ['---', 'ms.contentlocale: zh-CN', `ms.lasthandoff: ${date}`, '---', '# <a name="update-photo"></a>更新照片', '', ...sentences.flatMap((s) => [s, '']), '```http', 'PUT https://graph.microsoft.com/v1.0/me/photo/$value', '```', ''].join('\n'),
  });

test('one page states a photo and a request size: both reach the spec, the operations and the requirements', () => {
  const builder = new SpecBuilder();
  builder.add(updatePage('old.md', '10/25/2015', ['由于每个 REST 请求的总大小限制为 4 MB，照片也必须小于 4 MB。']));
  builder.add(updatePage('new.md', '07/19/2022', ['照片必须小于 8 MB。', '每个 REST 请求的总大小限制为 4 MB。']));
  const { spec } = builder.build();
  assertValidSpec(spec);
  assert.deepEqual(spec.limits.map((l) => [l.subject ?? 'request', l.maxRequestBytes]), [
    ['request', 4 * MEGABYTE],
    ['photo', 8 * MEGABYTE],
  ]);
  const op = spec.operations.find((o) => o.id === 'graph.v1.0.put.me.value');
  assert.deepEqual([op?.maxRequestBytes, op?.maxPhotoBytes], [4 * MEGABYTE, 8 * MEGABYTE]);
  const requirements = spec.requirements.filter((r) => r.area === 'limits').map((r) => [r.id, r.assert]);
  assert.deepEqual(requirements, [
    ['graph.v1.0/limits/photo-size', { kind: 'size-limit', maxRequestBytes: 8 * MEGABYTE, subject: 'photo' }],
    ['graph.v1.0/limits/request-size', { kind: 'size-limit', maxRequestBytes: 4 * MEGABYTE, subject: 'request' }],
  ]);
});
