/**
 * @azure/msal-node against the HTTPS mock, as its client-credentials sample writes it: a
 * ConfidentialClientApplication with the authority https://127.0.0.1:PORT/{tenant}, that
 * host in `knownAuthorities` (MSAL's documented setting for an authority it cannot validate
 * through Microsoft's instance discovery), and acquireTokenByClientCredential for
 * https://graph.microsoft.com/.default. No metadata is handed in: MSAL fetches the tenant's
 * OpenID configuration from the mock over https and posts to the token endpoint it names.
 * The token is decoded (jose decodeJwt) and verified against the JWKS that configuration
 * names (jose createRemoteJWKSet, over https too).
 *
 * Run by official-clients-https.test.ts with NODE_EXTRA_CA_CERTS naming the mock's CA.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { report } from './protocol.ts';

export interface MsalObservation {
  /** the token's claims as decodeJwt reads them */
  claims: Record<string, unknown>;
  tokenType: string;
  /** the second request for the same scope came from MSAL's cache */
  secondFromCache: boolean;
  /** the discovery document MSAL used, as the mock serves it */
  tokenEndpoint: string;
  jwksUri: string;
  /** jwtVerify with the tenant's JWKS, issuer and Graph audience */
  verified: boolean;
}

await report<MsalObservation>(async ({ origin, tenantId, app }) => {
  const host = new URL(origin).host;
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: app.clientId,
      clientSecret: app.secret,
      authority: `${origin}/${tenantId}`,
      knownAuthorities: [host],
    },
  });
  const request = { scopes: ['https://graph.microsoft.com/.default'] };
  const result = await cca.acquireTokenByClientCredential(request);
  if (!result?.accessToken) throw new Error('acquireTokenByClientCredential returned no access token');
  const again = await cca.acquireTokenByClientCredential(request);

  const configuration = (await (await fetch(`${origin}/${tenantId}/v2.0/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    token_endpoint: string;
    jwks_uri: string;
  };
  const verified = await jwtVerify(result.accessToken, createRemoteJWKSet(new URL(configuration.jwks_uri)), {
    issuer: configuration.issuer,
    audience: 'https://graph.microsoft.com',
  });
  return {
    claims: decodeJwt(result.accessToken),
    tokenType: result.tokenType,
    secondFromCache: again?.fromCache === true && again.accessToken === result.accessToken,
    tokenEndpoint: configuration.token_endpoint,
    jwksUri: configuration.jwks_uri,
    verified: verified.payload.tid === tenantId,
  };
});
