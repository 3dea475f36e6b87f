/**
 * The routed models as the CLI commands see them: each upstream's list asked
 * once, problems printed as notes on stderr (the profile's known models are
 * used instead).
 */
import { ModelDirectory } from '../models/model-directory.js';
import type { RoutedModel } from '../models/routed-models.js';
import type { ModelRouter } from '../routing/router.js';
import { fetchUpstreamModels } from '../upstream/list-models.js';
import { ProviderDispatchers } from '../upstream/upstream-dispatcher.js';

const LIST_TIMEOUT_MS = 15_000;

/** Lists every routed model, asking each upstream for its list. */
export async function listModelsOnce(
  router: ModelRouter,
  extraNames: readonly string[] = [],
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<RoutedModel[]> {
  const dispatchers = new ProviderDispatchers({ connectTimeoutMs: 10_000 });
  try {
    const directory = new ModelDirectory({
      router,
      fetchList: (provider) => {
        // Without a key most hosted lists answer 401; say why instead of asking.
        if (!provider.endpoint.apiKey && provider.profile.requiresApiKey) {
          return Promise.reject(
            new Error(`no API key in the environment (${provider.profile.apiKeyEnv ?? 'api_key_env'})`),
          );
        }
        return fetchUpstreamModels(dispatchers.forProvider(provider), provider.endpoint, LIST_TIMEOUT_MS);
      },
      onListProblem: (provider, problem) =>
        stderr.write(
          `responses-relay: note: ${provider.name}: cannot read the model list (${problem}); using the models the ${provider.profile.displayName} profile knows\n`,
        ),
      ttlMs: 0,
      now: Date.now,
    });
    return await directory.list(true, extraNames);
  } finally {
    await dispatchers.close();
  }
}
