/**
 * How a configured provider is reached: its endpoint, its network (proxy,
 * private CAs) and what of them is secret. Plain data the router carries and
 * upstream/ acts on.
 */

/** Where a provider's Chat Completions API is and how to authenticate. */
export interface UpstreamEndpoint {
  /** Base URL ending in /v1 (or the provider's equivalent). */
  baseUrl: string;
  apiKey: string | undefined;
  /** Extra headers the provider wants (e.g. OpenRouter attribution). */
  headers?: Record<string, string>;
}

/** The proxy a provider uses, and where that choice came from (shown by `doctor` and the start-up log). */
export interface UpstreamProxy {
  url: string;
  /** e.g. `--upstream-proxy`, `providers.work.proxy`, `HTTPS_PROXY`. */
  source: string;
}

/** How a provider's upstream is reached. */
export interface UpstreamNetwork {
  /** The forward proxy, when one applies (explicit, or from HTTPS_PROXY/HTTP_PROXY). */
  proxy?: UpstreamProxy;
  /** PEM files of private CAs (`--upstream-ca`, `ca_file`), as given. */
  caFiles: string[];
  /**
   * Every certificate to trust when `caFiles` is not empty: the system roots,
   * NODE_EXTRA_CA_CERTS and the files' certificates.
   */
  trusted: string[];
}

/** The credentials in a proxy URL, as secrets to keep out of every log line. */
export function proxySecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const parsed = new URL(url);
    return [parsed.password, decodeURIComponent(parsed.password)].filter((value) => value !== '');
  } catch {
    return [];
  }
}
