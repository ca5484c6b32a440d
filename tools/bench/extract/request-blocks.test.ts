import assert from 'node:assert/strict';
import { it } from 'node:test';
import { countHttpRequestBlocks } from './request-blocks.ts';

it('counts http fences that open with a request line, and nothing else', () => {
  const page = [
    '``` http',
    'GET /me/photo/$value',
    '```',
    '<!-- { "blockType": "request" } -->',
    '```http',
    '',
    'PATCH https://graph.microsoft.com/v1.0/me/photo/$value',
    'Content-Type: image/jpeg',
    '```',
    '```http',
    'HTTP/1.1 200 OK',
    '```',
    '```json',
    'GET /not/http',
    '```',
    '  ````HTTP',
    '  DELETE /groups/{id}/photo',
    '  ````',
    '```http',
    'GET /unclosed',
  ].join('\r\n');
  assert.equal(countHttpRequestBlocks(page), 4);
  assert.equal(countHttpRequestBlocks(''), 0);
  assert.equal(countHttpRequestBlocks('no fences here\nGET /me'), 0);
});
