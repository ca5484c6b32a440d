/**
 * @microsoft/msgraph-sdk (the Kiota-generated SDK) against the HTTPS mock, as its README
 * writes it: @azure/identity's ClientSecretCredential, AzureIdentityAuthenticationProvider from
 * @microsoft/kiota-authentication-azure, `new GraphRequestAdapter(authProvider)`,
 * `createGraphServiceClient(requestAdapter)`, and the users fluent API that
 * `import '@microsoft/msgraph-sdk-users'` adds to the client. Changed for the mock: the
 * credential's `authorityHost`, the adapter's `baseUrl`, and the provider's allowed hosts (the
 * documented way to say which hosts get the token). The upload states its Content-Type: the
 * generated `photo.content.put` sends application/octet-stream unless the request
 * configuration says otherwise, and the update pages require image/jpeg; the script first
 * shows what the mock answers to the SDK's default (`defaultContentType`).
 *
 * Run by official-clients-https.test.ts with NODE_EXTRA_CA_CERTS naming the mock's CA.
 */
import { ClientSecretCredential } from '@azure/identity';
import { AzureIdentityAuthenticationProvider } from '@microsoft/kiota-authentication-azure';
import { createGraphServiceClient, GraphRequestAdapter } from '@microsoft/msgraph-sdk';
import type { ProfilePhoto } from '@microsoft/msgraph-sdk/models/index.js';
import '@microsoft/msgraph-sdk-users';
import { runPhotoScenario, solidJpeg, type PhotoCalls, type ScenarioObservation } from './photo-scenario.ts';
import { errorReport, report, type ErrorReport, type PhotoMetadata } from './protocol.ts';

export interface KiotaObservation extends ScenarioObservation {
  /** the error `photo.content.put(bytes)` ends with when the SDK's default content type is sent */
  defaultContentType?: ErrorReport;
}

const metadata = (photo: ProfilePhoto | undefined): PhotoMetadata => {
  const etag = photo?.additionalData?.['@odata.mediaEtag'];
  return { id: photo?.id ?? null, width: photo?.width ?? null, height: photo?.height ?? null, mediaEtag: typeof etag === 'string' ? etag : null };
};

/** A standalone ArrayBuffer of the bytes (the generated put takes an ArrayBuffer). */
const arrayBuffer = (bytes: Buffer): ArrayBuffer => new Uint8Array(bytes).buffer;

await report<KiotaObservation>(async (input) => {
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
  // Allowed hosts are hostnames: AllowedHostsValidator compares the URL's hostname, not its port.
  const authProvider = new AzureIdentityAuthenticationProvider(credential, ['https://graph.microsoft.com/.default'], undefined, new Set([origin.hostname]));
  const requestAdapter = new GraphRequestAdapter(authProvider);
  requestAdapter.baseUrl = `${input.origin}/v1.0`;
  const graphServiceClient = createGraphServiceClient(requestAdapter);
  const user = (userId: string) => graphServiceClient.users.byUserId(userId);

  const observed: KiotaObservation = {};
  if (input.mailbox) {
    const jpeg = await solidJpeg(input.mailbox);
    observed.defaultContentType = await user(input.mailbox.userId)
      .photo.content.put(arrayBuffer(jpeg))
      .then(
        () => undefined,
        (error: unknown) => errorReport(error),
      );
  }

  const calls: PhotoCalls = {
    async upload(userId, jpeg) {
      await user(userId).photo.content.put(arrayBuffer(jpeg), { headers: { 'Content-Type': 'image/jpeg' } });
    },
    metadata: async (userId) => metadata(await user(userId).photo.get()),
    async value(userId) {
      const bytes = await user(userId).photo.content.get();
      if (!bytes) throw new Error(`photo.content.get() of ${userId} returned nothing`);
      return new Uint8Array(bytes);
    },
    sizeMetadata: async (userId, size) => metadata(await user(userId).photos.byProfilePhotoId(size).get()),
  };
  return { ...observed, ...(await runPhotoScenario(calls, input)) };
});
