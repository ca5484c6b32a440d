/**
 * The mock authority's token signing key: a fresh RS256 pair per server start, so a token
 * minted by an earlier run (or by anyone else) never validates. The `kid` is the key's
 * RFC 7638 thumbprint, as the identity platform publishes a kid per key in its JWKS.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** the public half as published at /discovery/v2.0/keys */
  publicJwk: JWK;
}

export const SIGNING_ALGORITHM = 'RS256';

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicKey, publicJwk: { ...jwk, kid, use: 'sig', alg: SIGNING_ALGORITHM } };
}
