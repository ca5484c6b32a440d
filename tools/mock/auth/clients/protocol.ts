/**
 * What official-clients-https.test.ts and the client scripts beside this file say to each
 * other. The test starts the HTTPS mock, then runs each script as a child Node process (so that
 * NODE_EXTRA_CA_CERTS, which Node reads only at start, can name the mock's CA) with the
 * scenario as JSON in CLIENT_INPUT_ENV. The script prints one line of JSON, a ClientReport, on
 * stdout: what the client observed, or the error it ended with. Nothing here talks to the mock.
 */

/** The environment variable holding the ClientInput as JSON. */
export const CLIENT_INPUT_ENV = 'PHOTO_CLIENT_INPUT';

export interface AppCredentials {
  clientId: string;
  secret: string;
}

/** A photo to make (a solid-colour JPEG, made by the script with sharp) and upload to one user. */
export interface PhotoUpload {
  userId: string;
  width: number;
  height: number;
  /** `#rrggbb` */
  color: string;
}

export interface ClientInput {
  /** the mock's origin, e.g. https://127.0.0.1:PORT (no path, no trailing slash) */
  origin: string;
  tenantId: string;
  app: AppCredentials;
  /** a user with a mailbox: the photo goes to Exchange and gets the predefined sizes */
  mailbox?: PhotoUpload;
  /** a user without a mailbox: the update falls back to the Azure AD (directory) store */
  directory?: PhotoUpload;
  /** the size variant read from the mailbox user, e.g. 48x48 */
  size?: string;
}

export interface PhotoMetadata {
  id: string | null;
  width: number | null;
  height: number | null;
  /** `@odata.mediaEtag`, where the client hands it over */
  mediaEtag: string | null;
}

/** What one user's round trip returned; bytes as base64, so the test decodes them itself. */
export interface UserObservation {
  userId: string;
  metadata: PhotoMetadata;
  value: string;
  sizeMetadata?: PhotoMetadata;
}

/** An error as the client threw it, with its chain of causes flattened. */
export interface ErrorReport {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  /** name, code and message of the error and of every `cause` below it */
  chain: string[];
}

export type ClientReport<T> =
  | { ok: true; observed: T }
  | {
      ok: false;
      error: ErrorReport;
      /**
       * After the error: what a bare `fetch` of the mock's origin in the same process meets,
       * `ok` or the code of its cause (UNABLE_TO_VERIFY_LEAF_SIGNATURE when the CA is not
       * trusted). The clients wrap transport errors (MSAL reports an unreachable discovery
       * document as endpoints_resolution_error), so this says what the transport did.
       */
      transport: string;
    };

export function errorReport(error: unknown): ErrorReport {
  const chain: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { name, code, errorCode, message } = e as { name?: string; code?: unknown; errorCode?: unknown; message?: string };
    chain.push([name, code ?? errorCode, message].filter((part) => part !== undefined && part !== '').join(': '));
  }
  // GraphError and MSAL's errors carry `code`/`errorCode`; Kiota's ODataError carries the
  // service's error object as `error` and the status as `responseStatusCode`.
  const top = error as {
    name?: string;
    message?: string;
    code?: unknown;
    errorCode?: unknown;
    error?: { code?: unknown };
    statusCode?: unknown;
    responseStatusCode?: unknown;
    constructor?: { name?: string };
  };
  const status = top.statusCode ?? top.responseStatusCode;
  const code = top.code ?? top.errorCode ?? top.error?.code;
  return {
    name: top.name ?? top.constructor?.name ?? typeof error,
    message: top.message ?? String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof status === 'number' ? { statusCode: status } : {}),
    chain,
  };
}

/** The scenario from the environment. */
export function readInput(): ClientInput {
  const raw = process.env[CLIENT_INPUT_ENV];
  if (!raw) throw new Error(`${CLIENT_INPUT_ENV} is not set: run this script from official-clients-https.test.ts`);
  return JSON.parse(raw) as ClientInput;
}

async function transportProbe(origin: string): Promise<string> {
  try {
    await (await fetch(`${origin}/`)).arrayBuffer();
    return 'ok';
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? cause.code : errorReport(error).chain.join(' <- ');
  }
}

/**
 * Run a script's body and print its report as the one line of JSON on stdout. A thrown error
 * is a report too (the test decides whether it expected one), so the exit code stays 0.
 */
export async function report<T>(body: (input: ClientInput) => Promise<T>): Promise<void> {
  const input = readInput();
  let result: ClientReport<T>;
  try {
    result = { ok: true, observed: await body(input) };
  } catch (error) {
    result = { ok: false, error: errorReport(error), transport: await transportProbe(input.origin) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
