/**
 * TLS for the mock: a local certificate authority, made once and kept outside the repository
 * (`.state/tls/ca/`, git-ignored), and a server certificate for `127.0.0.1` and `localhost`
 * that it issues at each start. Clients trust the mock by trusting the CA's file (Node:
 * `NODE_EXTRA_CA_CERTS`), as they would a corporate CA; nothing else of theirs changes.
 * Certificates are made with `selfsigned` (@peculiar/x509 underneath): no ASN.1 here.
 */
import { X509Certificate, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../spec/paths.ts';

/** Where the CA lives unless PHOTO_TLS_DIR moves it. */
export const TLS_DIR = process.env.PHOTO_TLS_DIR ? process.env.PHOTO_TLS_DIR : join(REPO_ROOT, '.state/tls');
const CA_VALID_DAYS = 3650;
const SERVER_VALID_DAYS = 30;
/** A CA this close to its end is made anew. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export interface LocalCa {
  /** the CA certificate's file: what a client trusts (NODE_EXTRA_CA_CERTS) */
  certFile: string;
  cert: string;
  key: string;
}

export interface ServerTls {
  key: string;
  cert: string;
  ca: LocalCa;
}

export class TlsError extends Error {
  override name = 'TlsError';
}

async function readCa(dir: string): Promise<LocalCa | undefined> {
  const certFile = join(dir, 'ca.pem');
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(join(dir, 'ca-key.pem'), 'utf8')]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TlsError(`${dir}: the local CA cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (error) {
    throw new TlsError(`${certFile}: not a certificate (${(error as Error).message}); delete ${dir} to make a new CA`);
  }
  if (!parsed.ca || Date.parse(parsed.validTo) - Date.now() < RENEW_BEFORE_MS) return undefined;
  return { certFile, cert, key };
}

// Loaded when a certificate is made, not when one is read.
const generator = async () => (await import('selfsigned')).default;

async function makeCa(): Promise<{ cert: string; key: string }> {
  const selfsigned = await generator();
  const now = new Date();
  const pems = await selfsigned.generate([{ name: 'commonName', value: `photo-conformance local CA ${now.toISOString().slice(0, 10)}` }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + CA_VALID_DAYS * 864e5),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The local CA: read from `dir`, or made and stored there once. Processes that start at once
 * (a run's CLI, its mock slots) may both make one; each writes its own into a folder of its
 * own and renames it into place, and the one that loses the rename reads the winner's.
 */
export async function localCa(dir = TLS_DIR): Promise<LocalCa> {
  const caDir = join(dir, 'ca');
  const existing = await readCa(caDir);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const made = await makeCa();
  const staging = join(dir, `.ca-${randomUUID()}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    await writeFile(join(staging, 'ca-key.pem'), made.key, { mode: 0o600 });
    await writeFile(join(staging, 'ca.pem'), made.cert, { mode: 0o644 });
    // Another process may have placed a CA while this one made its own: that one stands. Only a
    // CA that is there and no longer usable (near its end) is moved aside; when none is there,
    // the rename below fails for all but the first to place one, and they read that one.
    const placedMeanwhile = await readCa(caDir).catch(() => undefined);
    if (placedMeanwhile) return placedMeanwhile;
    const present = await readFile(join(caDir, 'ca.pem'), 'utf8').then(
      () => true,
      () => false,
    );
    if (present && !(await readCa(caDir).catch(() => undefined))) await rename(caDir, join(dir, `.expired-${randomUUID()}`)).catch(() => undefined);
    await rename(staging, caDir).catch(() => undefined);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const placed = await readCa(caDir);
  if (!placed) throw new TlsError(`${caDir}: the local CA could not be stored`);
  await chmod(join(caDir, 'ca-key.pem'), 0o600).catch(() => undefined);
  return placed;
}

/** A server certificate for 127.0.0.1, ::1 and localhost, issued by the local CA. */
export async function serverTls(dir = TLS_DIR): Promise<ServerTls> {
  const ca = await localCa(dir);
  const selfsigned = await generator();
  const now = new Date();
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + SERVER_VALID_DAYS * 864e5),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, ca };
}

/**
 * NODE_EXTRA_CA_CERTS for processes that should trust the local CA. Node reads one file: when
 * the environment already names one (a corporate CA), both go into a bundle beside the CA.
 */
export async function extraCaCerts(ca: LocalCa, env: NodeJS.ProcessEnv = process.env, dir = TLS_DIR): Promise<string> {
  const existing = env.NODE_EXTRA_CA_CERTS;
  if (!existing || existing === ca.certFile) return ca.certFile;
  let theirs: string;
  try {
    theirs = await readFile(existing, 'utf8');
  } catch (error) {
    throw new TlsError(`NODE_EXTRA_CA_CERTS=${existing}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  const bundle = join(dir, 'bundle.pem');
  const staging = `${bundle}.${randomUUID()}`;
  await writeFile(staging, `${theirs.trimEnd()}\n${ca.cert.trimEnd()}\n`, { mode: 0o644 });
  await rename(staging, bundle);
  return bundle;
}
