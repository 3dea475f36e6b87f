/**
 * The connection pools upstream requests go through, one keep-alive pool per
 * provider: an undici ProxyAgent (which tunnels with CONNECT) when the
 * provider has a proxy, else an Agent; either trusts the provider's private
 * CAs on top of the system roots. Pools are made on first use and closed
 * together.
 */
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { UpstreamNetwork } from '../routing/provider-connection.js';
import type { ConfiguredProvider } from '../routing/router.js';

/** Picks the pool for a provider's requests. */
export interface UpstreamDispatcher {
  forProvider(provider: ConfiguredProvider): Dispatcher;
}

export interface PoolOptions {
  connectTimeoutMs: number;
  /** How long an idle connection is kept (default 30 s). */
  keepAliveTimeoutMs?: number;
}

/** Every provider through the same dispatcher (tests inject one this way). */
export function sharedDispatcher(dispatcher: Dispatcher): UpstreamDispatcher {
  return { forProvider: () => dispatcher };
}

/** The pools of a running relay (or of one `doctor` or `models` run). */
export class ProviderDispatchers implements UpstreamDispatcher {
  private readonly pools = new Map<string, Dispatcher>();

  constructor(private readonly options: PoolOptions) {}

  forProvider(provider: ConfiguredProvider): Dispatcher {
    let pool = this.pools.get(provider.name);
    if (pool === undefined) {
      pool = createPool(provider.network, this.options);
      this.pools.set(provider.name, pool);
    }
    return pool;
  }

  /** Closes every pool, letting requests in flight finish. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  /** Ends every pool at once. */
  async destroy(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
  }
}

function createPool(network: UpstreamNetwork | undefined, options: PoolOptions): Dispatcher {
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 30_000;
  const tls = network !== undefined && network.caFiles.length > 0 ? { ca: network.trusted } : {};
  if (network?.proxy) {
    return new ProxyAgent({
      uri: network.proxy.url,
      keepAliveTimeout,
      connect: { timeout: options.connectTimeoutMs },
      // The upstream's certificate is checked through the tunnel; an https:// proxy's own too.
      requestTls: { timeout: options.connectTimeoutMs, ...tls },
      proxyTls: { timeout: options.connectTimeoutMs, ...tls },
    });
  }
  return new Agent({ keepAliveTimeout, connect: { timeout: options.connectTimeoutMs, ...tls } });
}
