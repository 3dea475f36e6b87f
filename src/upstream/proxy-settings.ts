/**
 * Which forward proxy an upstream is reached through: the one named for the
 * provider, else the relay-wide `--upstream-proxy`, else the standard
 * `HTTPS_PROXY` / `HTTP_PROXY` variables unless `NO_PROXY` exempts the host.
 * Pure: the environment is passed in.
 */
import type { UpstreamProxy } from '../routing/provider-connection.js';

/** The proxy named by the standard variables for a target URL, if any (lower-case names win, as in curl). */
export function proxyFromEnvironment(target: URL, environment: NodeJS.ProcessEnv): UpstreamProxy | undefined {
  const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  const name = names.find((candidate) => (environment[candidate] ?? '').trim() !== '');
  if (name === undefined) return undefined;
  const noProxy = environment.no_proxy ?? environment.NO_PROXY ?? '';
  if (isExemptFromProxy(target, noProxy)) return undefined;
  return { url: environment[name]!.trim(), source: name };
}

/**
 * True when `NO_PROXY` exempts the target: `*` exempts everything; an entry
 * `example.com` or `.example.com` exempts that host and its subdomains; an
 * entry with a port applies to that port only.
 */
export function isExemptFromProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // A bare IPv6 address has colons of its own and no port.
    const match =
      entry.split(':').length > 2 && !entry.startsWith('[')
        ? [entry, entry, undefined]
        : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!match) continue;
    const entryHost = match[1]!.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (match[2] !== undefined && match[2] !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

/** The proxy URL with its password (and user name) hidden, for logs and reports. */
export function describeProxyUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? '***' : '';
      parsed.password = parsed.password ? '***' : '';
    }
    return parsed.href.replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/** Checks a proxy URL from a flag or the file; returns a reason when it is unusable. */
export function proxyUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL; expected e.g. http://proxy.example.com:3128';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'must start with http:// or https:// (SOCKS proxies are not supported)';
  return undefined;
}
