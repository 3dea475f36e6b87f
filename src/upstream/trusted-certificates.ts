/**
 * Private certificate authorities (`--upstream-ca`, a provider's `ca_file`):
 * PEM files, each possibly holding several certificates, trusted in addition
 * to the system roots. Node replaces its roots when given a `ca` list, so the
 * list built here starts with them, and with NODE_EXTRA_CA_CERTS, which Node
 * would otherwise drop.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM file; throws an Error naming the file and what is wrong with it. */
export function readCertificateFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the CA file ${path}: ${(error as Error).message}`);
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new Error(`the CA file ${path} holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)`);
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new Error(`certificate ${index + 1} in the CA file ${path} cannot be read: ${(error as Error).message}`);
    }
  }
  return blocks;
}

/**
 * The full list of trusted certificates for a provider with private CAs: the
 * system roots, NODE_EXTRA_CA_CERTS (when readable) and the given ones.
 */
export function trustedCertificates(extra: readonly string[], environment: NodeJS.ProcessEnv): string[] {
  const fromEnvironment: string[] = [];
  const extraFile = environment.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      fromEnvironment.push(...readCertificateFile(extraFile));
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at start-up.
    }
  }
  return [...rootCertificates, ...fromEnvironment, ...extra];
}
