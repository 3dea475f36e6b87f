/**
 * The network checks of `doctor`: which proxy each provider goes through
 * and whether it answers, which private CAs it trusts, and how each key of a
 * key pool fares against the upstream.
 */
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Dispatcher } from 'undici';
import { formatDuration } from '../duration.js';
import type { ConfiguredProvider } from '../routing/router.js';
import { requestUpstreamModels } from '../upstream/list-models.js';
import { describeProxyUrl } from '../upstream/proxy-settings.js';
import type { DoctorCheck } from './doctor-check.js';

/** How the provider is reached: directly or through which proxy (and whether it accepts connections), with which CAs. */
export async function networkCheck(provider: ConfiguredProvider, timeoutMs: number): Promise<DoctorCheck> {
  const subject = 'network';
  const network = provider.network;
  const certificates =
    network && network.caFiles.length > 0 ? `; trusting the system roots plus ${network.caFiles.join(', ')}` : '';
  if (!network?.proxy)
    return { status: 'ok', subject, detail: `${provider.name}: direct connection (no proxy applies)${certificates}` };
  const shown = `${describeProxyUrl(network.proxy.url)} (from ${network.proxy.source})`;
  const problem = await proxyConnectProblem(new URL(network.proxy.url), timeoutMs, network.trusted);
  if (problem === undefined)
    return {
      status: 'ok',
      subject,
      detail: `${provider.name}: through the proxy ${shown}, which answers${certificates}`,
    };
  return {
    status: 'fail',
    subject,
    detail: `${provider.name}: through the proxy ${shown}, which does not answer (${problem})${certificates}`,
    fix: `check the proxy's host and port in ${network.proxy.source}, or that the proxy is running`,
  };
}

/** Opens (and closes) a connection to the proxy; the reason it failed, or undefined. */
function proxyConnectProblem(proxy: URL, timeoutMs: number, trusted: string[]): Promise<string | undefined> {
  const port = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket =
      proxy.protocol === 'https:'
        ? connectTls({ host, port, servername: host, ...(trusted.length > 0 ? { ca: trusted } : {}) })
        : connect({ host, port });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${formatDuration(timeoutMs)}`));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`${error.code ?? 'error'}: ${error.message}`));
    socket.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => done(undefined));
  });
}

/** GET {base}/models with each key of the pool: which are accepted, refused or resting. */
export async function keyPoolCheck(
  provider: ConfiguredProvider,
  dispatcher: Dispatcher,
  timeoutMs: number,
): Promise<DoctorCheck | undefined> {
  const pool = provider.keyPool;
  if (pool === undefined) return undefined;
  const results: string[] = [];
  const refused: string[] = [];
  let usable = 0;
  for (const key of pool.keys) {
    try {
      const answer = await requestUpstreamModels(dispatcher, { ...provider.endpoint, apiKey: key.value }, timeoutMs);
      if (answer.status === 401 || answer.status === 403) {
        refused.push(key.variable);
        results.push(`${key.variable} refused (${answer.status})`);
      } else if (answer.status === 429) {
        usable++;
        results.push(`${key.variable} rate limited right now (429)`);
      } else {
        usable++;
        results.push(`${key.variable} ${answer.status < 300 ? 'accepted' : `answered ${answer.status}`}`);
      }
    } catch (error) {
      results.push(`${key.variable} not checked (${(error as Error).message})`);
    }
  }
  const detail = `${provider.name}: ${pool.keys.length} keys in rotation: ${results.join(', ')}`;
  if (refused.length === 0) return { status: 'ok', subject: 'keys', detail };
  return {
    status: usable === 0 ? 'fail' : 'warn',
    subject: 'keys',
    detail,
    fix: `replace the key${refused.length === 1 ? '' : 's'} in ${refused.join(', ')}; the relay sets refused keys aside and serves with the others`,
  };
}
