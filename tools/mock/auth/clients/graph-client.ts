/**
 * @microsoft/microsoft-graph-client (v3) against the HTTPS mock, as its
 * TokenCredentialAuthenticationProvider documentation writes it: @azure/identity's
 * ClientSecretCredential, the SDK's own TokenCredentialAuthenticationProvider over it, and
 * Client.initWithMiddleware with the default middleware chain. Changed for the mock: the
 * credential's `authorityHost`, the client's `baseUrl`, and `customHosts` (the SDK's documented
 * option for attaching the token to a host that is not Graph's). The photo calls are the
 * update and get pages' requests through `client.api(path)`; the upload states the
 * Content-Type the update pages require (`.header(...)`), since the SDK's `put` sends
 * application/json when none is set (GraphRequest.setHeaderContentType).
 *
 * Run by official-clients-https.test.ts with NODE_EXTRA_CA_CERTS naming the mock's CA.
 */
import { ClientSecretCredential } from '@azure/identity';
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { runPhotoScenario, type PhotoCalls } from './photo-scenario.ts';
import { report, type PhotoMetadata } from './protocol.ts';

const metadata = (body: Record<string, unknown>): PhotoMetadata => ({
  id: typeof body.id === 'string' ? body.id : null,
  width: typeof body.width === 'number' ? body.width : null,
  height: typeof body.height === 'number' ? body.height : null,
  mediaEtag: typeof body['@odata.mediaEtag'] === 'string' ? body['@odata.mediaEtag'] : null,
});

await report(async (input) => {
  const origin = new URL(input.origin);
  const credential = new ClientSecretCredential(input.tenantId, input.app.clientId, input.app.secret, {
    authorityHost: input.origin,
    // Needed for a host that is not Microsoft's: without it the MSAL underneath validates the
    // authority through Microsoft's instance discovery (login.microsoftonline.com), which does
    // not know 127.0.0.1, and fails (endpoints_resolution_error) before contacting the mock.
    // The option is documented (AuthorityValidationOptions) for authorities such as private
    // clouds and Azure Stack; it names the authority host as known to MSAL.
    disableInstanceDiscovery: true,
  });
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] });
  const client = Client.initWithMiddleware({
    authProvider,
    baseUrl: input.origin,
    // hostnames, without the port: GraphRequestUtil.isCustomHost compares the URL's hostname
    customHosts: new Set([origin.hostname]),
  });

  const calls: PhotoCalls = {
    async upload(userId, jpeg) {
      await client.api(`/users/${userId}/photo/$value`).header('Content-Type', 'image/jpeg').put(jpeg);
    },
    metadata: async (userId) => metadata(await client.api(`/users/${userId}/photo`).get()),
    value: async (userId) => new Uint8Array(await client.api(`/users/${userId}/photo/$value`).responseType(ResponseType.ARRAYBUFFER).get()),
    sizeMetadata: async (userId, size) => metadata(await client.api(`/users/${userId}/photos/${size}`).get()),
  };
  return runPhotoScenario(calls, input);
});
