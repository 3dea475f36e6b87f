/**
 * TLS certificate failures in words a user can act on: what is wrong with
 * the upstream's certificate and the option that fixes it. Shared by the
 * error a client sees and by `doctor`.
 */

/** Node's codes for certificates it cannot trust because of who signed them. */
const UNTRUSTED_ISSUER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

const OTHER_CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is for another host name',
  CERT_SIGNATURE_FAILURE: 'has a broken signature',
  CERT_REVOKED: 'was revoked',
};

export interface CertificateProblem {
  /** e.g. "the certificate of api.example.com is signed by a CA this machine does not trust (SELF_SIGNED_CERT_IN_CHAIN: …)". */
  problem: string;
  fix: string;
}

/** Describes a TLS certificate error, or returns undefined for any other error. */
export function describeCertificateProblem(error: unknown, host: string): CertificateProblem | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const reason = error instanceof Error ? error.message : String(error);
  if (UNTRUSTED_ISSUER.has(code)) {
    return {
      problem: `the TLS certificate of ${host} is signed by a certificate authority this machine does not trust (${code}: ${reason})`,
      fix: "if a company proxy or a private CA signs it, pass that CA as a PEM file with --upstream-ca FILE (or ca_file in the provider's config, or NODE_EXTRA_CA_CERTS)",
    };
  }
  const what = OTHER_CERTIFICATE_PROBLEMS[code];
  if (what !== undefined) {
    return {
      problem: `the TLS certificate of ${host} ${what} (${code}: ${reason})`,
      fix:
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'check the host name in the upstream URL'
          : `the server at ${host} must renew or fix its certificate; --upstream-ca cannot fix this`,
    };
  }
  return undefined;
}
