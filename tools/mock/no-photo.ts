/**
 * What a read answers when the photo does not exist (and, for a size, when that size does
 * not), decided per operation from the spec's requirements, never from a list kept here:
 *
 * 1. a `no-photo` requirement naming the operation: its status (the v1.0 get page: "if the
 *    photo doesn't exist, 404 Not Found");
 * 2. a `placeholder` requirement naming it: the spec's placeholder (`sizeVariants.placeholder`);
 * 3. neither: the pages of the same API and version decide for the reads they leave unnamed,
 *    a read of the media (`$value`, `photos/{size}/$value`) like the media reads they name, a
 *    read of the entity (`photo`, `photos`, `photos/{size}`) like the entity reads they name,
 *    preferring the same resource. A placeholder is described only as metadata (the `1x1`
 *    size, the metadata examples): no page shows its bytes or their headers, so a media read
 *    does not take an entity read's placeholder, nor an entity read a media read's status;
 * 4. a spec without either kind of requirement: the placeholder where the spec has one.
 * Otherwise the rule is `unstated` and the profile answers as the service is observed to.
 */
import type { Operation, Resource, Spec, Target } from '../spec/model.ts';

export type NoPhotoRule =
  | { kind: 'placeholder'; requirement?: string }
  | { kind: 'status'; status: number; code?: string; requirement: string }
  | { kind: 'unstated' };

const MEDIA_TARGETS = new Set<Target>(['value', 'photoSizeValue']);
const isMedia = (target: Target) => MEDIA_TARGETS.has(target);

export function noPhotoRules(spec: Spec): Map<string, NoPhotoRule> {
  const named = new Map<string, NoPhotoRule>();
  for (const r of spec.requirements) {
    // A status statement is the page's own word for that read: it wins over a placeholder example.
    if (r.assert.kind === 'no-photo') {
      for (const id of r.operations) named.set(id, { kind: 'status', status: r.assert.status, code: r.assert.code, requirement: r.id });
    }
  }
  if (spec.sizeVariants?.placeholder) {
    for (const r of spec.requirements) {
      if (r.assert.kind !== 'placeholder') continue;
      for (const id of r.operations) if (!named.has(id)) named.set(id, { kind: 'placeholder', requirement: r.id });
    }
  }

  const reads = spec.operations.filter((o) => o.method === 'GET');
  const byId = new Map(reads.map((o) => [o.id, o]));
  const rules = new Map<string, NoPhotoRule>();
  const fallback: NoPhotoRule = named.size === 0 && spec.sizeVariants?.placeholder ? { kind: 'placeholder' } : { kind: 'unstated' };
  for (const op of reads) {
    const own = named.get(op.id);
    if (own) {
      rules.set(op.id, own);
      continue;
    }
    const siblings = [...named]
      .map(([id, rule]) => ({ op: byId.get(id), rule }))
      .filter((s): s is { op: Operation; rule: NoPhotoRule } => s.op !== undefined && s.op.api === op.api && s.op.version === op.version);
    const like = (resource?: Resource) =>
      siblings.find((s) => isMedia(s.op.target) === isMedia(op.target) && (resource === undefined || s.op.resource === resource));
    rules.set(op.id, (like(op.resource) ?? like())?.rule ?? fallback);
  }
  return rules;
}
