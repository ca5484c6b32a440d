import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceRef } from '../../../spec/model.ts';
import { SpecBuilder } from '../../merge.ts';
import { extractPage } from '../../page.ts';
import { permissionTokens } from './index.ts';
import { nameKey, PermissionNameIndex } from './recover-names.ts';

const at = (source: string, line: number): SourceRef => ({ source, ref: `${source}.md:${line}:1`, line, column: 1 });

test('names written without dots are kept as written, in order, apart from the names read whole', () => {
  assert.deepEqual(permissionTokens('TeamReadBasicAll、TeamSettings.Read.All、Group.Read.All **、GroupReadWriteAll**'), {
    names: ['TeamReadBasicAll', 'TeamSettings.Read.All', 'Group.Read.All', 'GroupReadWriteAll'],
    damaged: ['TeamReadBasicAll', 'GroupReadWriteAll'],
  });
  // A verb alone, a name with its dots, prose: nothing damaged.
  assert.deepEqual(permissionTokens('ReadWrite, User.ReadWrite.All, Not supported.').damaged, []);
  assert.deepEqual(permissionTokens('Не поддерживается.'), { names: [], damaged: [] });
});

test('a damaged name is recovered from a name the run states, ignoring dots and case, whatever the order', () => {
  assert.equal(nameKey('Team.ReadBasic.All'), nameKey('teamreadbasicall'));
  const index = new PermissionNameIndex();
  index.state('Team.ReadBasic.All', at('b', 9));
  index.state('Team.ReadBasic.All', at('a', 30));
  index.state('Group.ReadWrite.All', at('a', 2));
  assert.deepEqual(index.recover('TeamReadBasicAll'), { name: 'Team.ReadBasic.All', statedAt: at('a', 30) });
  assert.equal(index.recover('GROUPREADWRITEALL')?.name, 'Group.ReadWrite.All');
  assert.equal(index.recover('ChannelSettingsReadAll'), undefined);
});

const page = (path: string, date: string, teamCell: string, extra = '') =>
  extractPage({
    path,
    text: [
      '---',
      `ms.lasthandoff: ${date}`,
      '---',
      '# <a name="get-photo"></a>Get photo',
      '',
      '## <a name="permissions"></a>Permissions',
      '',
      '### <a name="to-get-the-photo-of-a-team"></a>Team',
      '',
      '| Permission type | Permissions |',
      '|:--|:--|',
      `| Delegated (work or school account) | ${teamCell} |`,
      '| Delegated (personal Microsoft account) | Not supported. |',
      '| Application | Not supported. |',
      '',
      extra,
      '',
      '## <a name="http-request"></a>HTTP request',
      '<!-- { "blockType": "ignored" } -->',
      '```http',
      'GET /teams/{id}/photo',
      '```',
      '',
    ].join('\n'),
  });

test('the merge recovers the names, keeps the row as written in the quote, and warns; a name no page states is left out', () => {
  const damaged = page('damaged.md', '07/19/2022', 'TeamReadBasicAll, ChannelSettingsReadAll, TeamSettings.Read.All');
  const whole = page('whole.md', '07/19/2022', 'Team.ReadBasic.All, TeamSettings.Read.All');
  for (const order of [[damaged, whole], [whole, damaged]]) {
    const builder = new SpecBuilder();
    for (const r of order) builder.add(r);
    const { spec, messages } = builder.build();
    const op = spec.operations.find((o) => o.id === 'graph.v1.0.get.team.metadata');
    const delegated = op?.permissions.find((p) => p.type === 'delegatedWork');
    assert.deepEqual(delegated?.permissions, ['Team.ReadBasic.All', 'TeamSettings.Read.All']);
    // Equal once recovered: one claim with both pages as its sources, the damaged row quoted as written.
    assert.deepEqual([...new Set(delegated?.sources.map((s) => s.source))], ['damaged', 'whole']);
    assert.match(delegated?.sources.find((s) => s.source === 'damaged')?.quote?.text ?? '', /TeamReadBasicAll/);
    const warnings = messages.filter((m) => m.file === 'damaged.md' && m.severity === 'warning' && /permission name|recovered/.test(m.message)).map((m) => `${m.line} ${m.message}`);
    assert.deepEqual(warnings, [
      "12 recovered 'TeamReadBasicAll' as 'Team.ReadBasic.All' (stated at whole.md:12)",
      "12 no permission name in 'ChannelSettingsReadAll': no page of the run states a name that matches it without dots; left out",
    ]);
  }
});

test('each table applies to its own resource only: the team table does not reach the user operations', () => {
  const userTable = ['### <a name="to-get-the-photo-of-a-user"></a>User', '', '| Permission type | Permissions |', '|:--|:--|', '| Delegated (work or school account) | User.Read |', '| Delegated (personal Microsoft account) | User.Read |', '| Application | User.Read.All |'].join('\n');
  const result = page('both.md', '07/19/2022', 'Team.ReadBasic.All', userTable);
  const withUser = { ...result, facts: { ...result.facts, operations: [...result.facts.operations, { ...result.facts.operations[0]!, path: '/me/photo', originalPath: '/me/photo', parameters: [], resource: 'me' as const }] } };
  const builder = new SpecBuilder();
  builder.add(withUser);
  const { spec } = builder.build();
  const me = spec.operations.find((o) => o.id === 'graph.v1.0.get.me.metadata');
  assert.deepEqual(me?.permissions.map((p) => [p.type, p.supported, p.permissions]), [
    ['delegatedWork', true, ['User.Read']],
    ['delegatedPersonal', true, ['User.Read']],
    ['application', true, ['User.Read.All']],
  ]);
  const team = spec.operations.find((o) => o.id === 'graph.v1.0.get.team.metadata');
  assert.deepEqual(team?.permissions.map((p) => [p.type, p.supported]), [
    ['delegatedWork', true],
    ['delegatedPersonal', false],
    ['application', false],
  ]);
});
