import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

/**
 * Whether a server answers at all: any HTTP answer, even 404, is reachable. Otherwise the
 * reason (refused, unknown host, timed out), so that a wrong --base-url costs one line,
 * not 596 failed tests.
 */
export function reachability(baseUrl: string, timeoutMs = 5000): Promise<string | undefined> {
  // node:http, not fetch: fetch refuses the browsers' "bad ports" (6000, 6665...), on which
  // someone's mock may well listen.
  return new Promise((resolve) => {
    const url = new URL(baseUrl);
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const request = get(url, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(undefined);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: '' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code || error.message));
  });
}
