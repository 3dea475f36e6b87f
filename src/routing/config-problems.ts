/**
 * What is wrong with the configured upstreams, one sentence each. The CLI
 * refuses to start on most of these already; /readyz and `doctor` ask again,
 * so a router built another way (a config file) is checked the same way.
 */
import type { ModelRouter } from './router.js';

/** Problems with the router's providers and aliases; empty when there are none. */
export function configProblems(router: ModelRouter): string[] {
  const problems: string[] = [];
  for (const provider of router.providers.values()) {
    const baseUrl = provider.endpoint.baseUrl;
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      problems.push(`provider '${provider.name}': the base URL '${baseUrl}' is not a URL`);
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push(`provider '${provider.name}': the base URL '${baseUrl}' must start with http:// or https://`);
    }
    if (!provider.endpoint.apiKey && provider.profile.requiresApiKey) {
      problems.push(
        `provider '${provider.name}': no API key (${provider.profile.displayName} needs one${provider.profile.apiKeyEnv ? `, usually in ${provider.profile.apiKeyEnv}` : ''})`,
      );
    }
  }
  for (const alias of router.aliases.keys()) {
    try {
      router.resolve(alias);
    } catch (error) {
      problems.push(`model alias '${alias}': ${(error as Error).message}`);
    }
  }
  return problems;
}
