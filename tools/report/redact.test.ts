import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redactText, redactValue, secretsFromEnvironment } from './redact.ts';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

describe('redactText', () => {
  const cases: [string, string, string][] = [
    ['an Authorization header line', `Authorization: Bearer ${JWT}\nHost: x`, `Authorization: ${REDACTED}\nHost: x`],
    ['a Cookie header line, to the end of the line', 'Cookie: a=b; c=d', `Cookie: ${REDACTED}`],
    ['a form body', 'grant_type=client_credentials&client_secret=abc123&scope=x', `grant_type=client_credentials&client_secret=${REDACTED}&scope=x`],
    ['a query parameter', '/me/photo?access_token=opaque-123&x=1', `/me/photo?access_token=${REDACTED}&x=1`],
    ['a JSON token response', '{"access_token":"abc\\"def","token_type":"Bearer"}', `{"access_token":"${REDACTED}","token_type":"Bearer"}`],
    ['a password in prose', 'signed in with password: hunter22, then', `signed in with password: ${REDACTED}, then`],
    ['a bare bearer token', 'sent Bearer opaque.token-value', `sent Bearer ${REDACTED}`],
    ['a JWT anywhere', `token ${JWT} was accepted`, `token ${REDACTED} was accepted`],
  ];
  for (const [name, input, output] of cases) it(`removes ${name}`, () => assert.equal(redactText(input), output));

  it('leaves ordinary failure messages alone', () => {
    for (const text of ['Authorization header missing', 'Expected: 415\nReceived: 200', 'token_type Bearer', 'GET /me/photo/$value 404']) {
      assert.equal(redactText(text), text);
    }
  });
  it('is idempotent', () => {
    const once = redactText(`Authorization: Bearer ${JWT} client_secret=x1y2z3`);
    assert.equal(redactText(once), once);
  });
  it('removes known secrets literally, wherever they are', () => {
    assert.equal(redactText('echoed s3cr3t-value!', { knownSecrets: ['s3cr3t-value'] }), `echoed ${REDACTED}!`);
  });
});

describe('redactValue', () => {
  it('blanks secret headers and keys at any depth and redacts every string', () => {
    const input = {
      request: { headers: { Authorization: 'Bearer x', 'Content-Type': 'image/jpeg', Cookie: ['a', 'b'] } },
      response: { bodyPreview: { refresh_token: 'r', nested: [{ Password: 'p', note: `got ${JWT}` }] } },
    };
    const copy = JSON.parse(JSON.stringify(input));
    assert.deepEqual(redactValue(input), {
      request: { headers: { Authorization: REDACTED, 'Content-Type': 'image/jpeg', Cookie: [REDACTED, REDACTED] } },
      response: { bodyPreview: { refresh_token: REDACTED, nested: [{ Password: REDACTED, note: `got ${REDACTED}` }] } },
    });
    assert.deepEqual(input, copy, 'input is not mutated');
  });
});

describe('secretsFromEnvironment', () => {
  it('takes values of credential-named variables, not URLs or short values', () => {
    const found = secretsFromEnvironment({
      AZURE_CLIENT_SECRET: 'abc-very-secret',
      PHOTO_ACCESS_TOKEN: 'tok-123456',
      PHOTO_BASE_URL: 'http://127.0.0.1:4010',
      TOKEN_AUDIENCE: 'https://graph.microsoft.com',
      SHORT_SECRET: 'x',
      HOME: '/root',
    });
    assert.deepEqual(found.sort(), ['abc-very-secret', 'tok-123456']);
  });
});
