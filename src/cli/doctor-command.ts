/**
 * `responses-relay doctor`: checks what `serve` would run with — the options,
 * the session store, and every upstream the router knows (GET {base}/models
 * with its key and a short timeout) — and prints, for each problem, what is
 * wrong and how to fix it. Exit code 0 when all is well, 1 otherwise.
 *
 * Upstreams are taken from the router the caller builds, so every provider
 * it holds is checked, however it was configured.
 */
import type { Dispatcher } from 'undici';
import { CliError } from '../config/cli-error.js';
import { formatDuration } from '../duration.js';
import { silentLogger } from '../log.js';
import { createRedactor, type Redactor } from '../observability/redact.js';
import { configProblems } from '../routing/config-problems.js';
import type { ConfiguredProvider, ModelRouter } from '../routing/router.js';
import { createServices } from '../server/services.js';
import { RedisResponseStore } from '../store/redis-store.js';
import { SqliteResponseStore } from '../store/sqlite-store.js';
import { extractErrorMessage } from '../translate/upstream-errors.js';
import { describeCertificateProblem } from '../upstream/certificate-problems.js';
import { joinUrl } from '../upstream/chat-client.js';
import { requestUpstreamModels } from '../upstream/list-models.js';
import { proxyRefusalStatus } from '../upstream/network-errors.js';
import type { DoctorCheck } from './doctor-check.js';
import { keyPoolCheck, networkCheck } from './doctor-network.js';
import { isLoopbackHost, type OperationsSettings, parseOperationsOptions } from './operations-options.js';
import { openStoreFromOptions, type ServeOptions } from './serve-command.js';

/** How long each upstream gets to answer GET /models. */
export const DOCTOR_TIMEOUT_MS = 5_000;

export interface DoctorContext {
  /** Builds the router serve would use (throws a CliError naming what is wrong). */
  buildRouter: () => ModelRouter;
  output?: NodeJS.WritableStream;
  timeoutMs?: number;
}

/** Runs every check, prints them, and returns the exit code. */
export async function runDoctor(options: ServeOptions, context: DoctorContext): Promise<number> {
  const output = context.output ?? process.stdout;
  const timeoutMs = context.timeoutMs ?? DOCTOR_TIMEOUT_MS;
  const checks: DoctorCheck[] = [];
  let settings: OperationsSettings | undefined;
  try {
    settings = parseOperationsOptions(options, options.host);
    checks.push(accessCheck(options.host, settings), limitsCheck(settings));
  } catch (error) {
    checks.push(failed('options', error, 'fix the flag named above (see responses-relay --help)'));
  }
  let router: ModelRouter | undefined;
  try {
    router = context.buildRouter();
    checks.push(routingCheck(router));
    for (const problem of configProblems(router)) checks.push({ status: 'fail', subject: 'config', detail: problem });
  } catch (error) {
    checks.push(failed('upstream', error, 'the upstreams cannot be checked until this is fixed'));
  }
  checks.push(await storeCheck(options));
  const upstreams = router ? await checkUpstreams(router, settings?.authToken, timeoutMs) : undefined;
  if (upstreams) checks.push(...upstreams.checks);
  const redact = upstreams?.redact ?? createRedactor([options.upstreamKey, options.authToken]);
  output.write(formatChecks(checks, redact));
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}

/** Network, upstream and key checks of every provider, reached the way serve reaches them (its services, with a short connect timeout). */
async function checkUpstreams(
  router: ModelRouter,
  authToken: string | undefined,
  timeoutMs: number,
): Promise<{ checks: DoctorCheck[]; redact: Redactor }> {
  const services = createServices({
    router,
    logger: silentLogger(),
    authToken,
    timeouts: { connectMs: timeoutMs },
    processMetrics: false,
  });
  const checks: DoctorCheck[] = [];
  try {
    for (const provider of router.providers.values()) {
      const dispatcher = services.dispatcher.forProvider(provider);
      checks.push(await networkCheck(provider, timeoutMs), await upstreamCheck(provider, dispatcher, timeoutMs));
      const keys = await keyPoolCheck(provider, dispatcher, timeoutMs);
      if (keys) checks.push(keys);
    }
  } finally {
    await services.close();
  }
  return { checks, redact: services.redact };
}

/** The report: one line per check, a `fix:` line under each problem, and a summary. */
export function formatChecks(checks: readonly DoctorCheck[], redact: Redactor = (text) => text): string {
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${check.status.toUpperCase().padEnd(5)} ${check.subject.padEnd(9)} ${redact(check.detail)}`);
    if (check.fix && check.status !== 'ok') lines.push(`      fix: ${redact(check.fix)}`);
  }
  const failures = checks.filter((check) => check.status === 'fail').length;
  const warnings = checks.filter((check) => check.status === 'warn').length;
  lines.push(
    failures === 0
      ? `all checks passed${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`
      : `${failures} problem${failures === 1 ? '' : 's'} found`,
  );
  return `${lines.join('\n')}\n`;
}

function failed(subject: string, error: unknown, fix: string): DoctorCheck {
  if (!(error instanceof CliError)) throw error;
  return { status: 'fail', subject, detail: error.message, fix };
}

function accessCheck(host: string, settings: OperationsSettings): DoctorCheck {
  if (settings.authToken !== undefined)
    return { status: 'ok', subject: 'access', detail: `listening on ${host}; clients must send the relay's token` };
  return {
    status: 'ok',
    subject: 'access',
    detail: `listening on ${host} (${isLoopbackHost(host) ? 'this machine only' : 'reachable from elsewhere'}) without a token`,
  };
}

function limitsCheck(settings: OperationsSettings): DoctorCheck {
  const { timeouts } = settings;
  return {
    status: 'ok',
    subject: 'limits',
    detail:
      `bodies up to ${(settings.maxBodyBytes / 1024 / 1024).toFixed(0)} MB; ${settings.maxConcurrent} upstream requests at once, ${settings.maxQueue} waiting; ` +
      `timeouts: connect ${formatDuration(timeouts.connectMs)}, first byte ${formatDuration(timeouts.firstByteMs)}, idle ${formatDuration(timeouts.idleMs)}, ` +
      `total ${formatDuration(timeouts.totalMs)}; heartbeat ${formatDuration(settings.heartbeatMs)}; shutdown grace ${formatDuration(settings.shutdownGraceMs)}`,
  };
}

function routingCheck(router: ModelRouter): DoctorCheck {
  const providers = [...router.providers.values()].map(
    (provider) =>
      `${provider.name} (${provider.profile.displayName}) at ${provider.endpoint.baseUrl}, ${provider.keyPool ? `${provider.keyPool.keys.length} keys (${provider.keyPool.keys.map((key) => key.variable).join(', ')})` : provider.endpoint.apiKey ? 'key set' : 'no key'}`,
  );
  const aliases = router.aliases.size > 0 ? `; model aliases: ${[...router.aliases.keys()].join(', ')}` : '';
  return { status: 'ok', subject: 'upstream', detail: `${providers.join('; ')}${aliases}` };
}

async function storeCheck(options: ServeOptions): Promise<DoctorCheck> {
  let store;
  try {
    store = await openStoreFromOptions(options, silentLogger());
  } catch (error) {
    return failed('store', error, 'pass --store-path with a file in a writable directory, or --store memory');
  }
  try {
    await store.ping();
    const stats = await store.stats();
    const where =
      store instanceof SqliteResponseStore
        ? `sqlite at ${store.path}`
        : store instanceof RedisResponseStore
          ? `redis at ${store.location}`
          : 'memory (stored responses are lost on restart)';
    return {
      status: 'ok',
      subject: 'store',
      detail: `${where}: ${stats.turns} responses, ${(stats.bytes / 1024 / 1024).toFixed(1)} MB`,
    };
  } catch (error) {
    const fix =
      store instanceof RedisResponseStore
        ? 'start Redis, or check --store-url'
        : 'move the file away (it will be created again), or pass --store-path';
    return {
      status: 'fail',
      subject: 'store',
      detail: `the store opened but cannot be read: ${(error as Error).message}`,
      fix,
    };
  } finally {
    await store.close();
  }
}

/** GET {base}/models with the provider's key: is it reachable, and is the key accepted? */
export async function upstreamCheck(
  provider: ConfiguredProvider,
  dispatcher: Dispatcher,
  timeoutMs: number,
): Promise<DoctorCheck> {
  const url = joinUrl(provider.endpoint.baseUrl, 'models');
  const subject = 'upstream';
  const name = `${provider.name}: ${url.href}`;
  let status: number;
  let body: unknown;
  try {
    const answer = await requestUpstreamModels(dispatcher, provider.endpoint, timeoutMs);
    status = answer.status;
    try {
      body = JSON.parse(answer.text) as unknown;
    } catch {
      body = answer.text.slice(0, 300);
    }
  } catch (error) {
    return { status: 'fail', subject, ...describeNetworkFailure(provider, url, error, timeoutMs) };
  }
  const message = extractErrorMessage(body);
  if (status >= 200 && status < 300) {
    const list = (body as { data?: unknown } | null)?.data;
    const models = Array.isArray(list) ? `, ${list.length} models listed` : '';
    return {
      status: 'ok',
      subject,
      detail: `${name} answered ${status}${provider.endpoint.apiKey ? ', key accepted' : ''}${models}`,
    };
  }
  const answered = `${name} answered ${status}${message ? `: ${message.slice(0, 200)}` : ''}`;
  if (status === 401 || status === 403)
    return { status: 'fail', subject, detail: answered, fix: `the key was refused: ${keyHint(provider)}` };
  if (status === 404) {
    const example = provider.profile.defaultBaseUrl
      ? ` (for ${provider.profile.displayName}: ${provider.profile.defaultBaseUrl})`
      : '';
    return { status: 'fail', subject, detail: answered, fix: `check the base URL: it usually ends in /v1${example}` };
  }
  if (status === 429)
    return {
      status: 'warn',
      subject,
      detail: answered,
      fix: 'reachable, but rate limited or out of quota right now; check the account',
    };
  if (status >= 500)
    return {
      status: 'fail',
      subject,
      detail: answered,
      fix: `${provider.profile.displayName} is failing on its side; try again later`,
    };
  return { status: 'fail', subject, detail: answered, fix: 'check the base URL and the key' };
}

function keyHint(provider: ConfiguredProvider): string {
  const variable = provider.profile.apiKeyEnv;
  return variable
    ? `check the key in ${variable}, or the one given with --upstream-key-env / --upstream-key`
    : 'check the key given with --upstream-key-env or --upstream-key';
}

function describeNetworkFailure(
  provider: ConfiguredProvider,
  url: URL,
  error: unknown,
  timeoutMs: number,
): Pick<DoctorCheck, 'detail' | 'fix'> {
  const code = String((error as { code?: unknown }).code ?? (error as { name?: unknown }).name ?? '');
  const reason = error instanceof Error ? error.message : String(error);
  const name = `${provider.name}: ${url.href}`;
  if (code === 'ECONNREFUSED') {
    return {
      detail: `${name}: nothing is listening at ${url.host}`,
      fix: provider.profile.local
        ? `start ${provider.profile.displayName}, or fix the port in --upstream`
        : `check that the server at ${url.host} is running, or fix the host and port in --upstream`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return {
      detail: `${name}: the host ${url.hostname} was not found (${code})`,
      fix: 'check the host name in --upstream and the DNS of this machine',
    };
  if (code === 'TimeoutError' || code === 'AbortError' || (code.startsWith('UND_ERR_') && code.includes('TIMEOUT'))) {
    return {
      detail: `${name}: no answer within ${formatDuration(timeoutMs)}`,
      fix: 'check the network path (proxy, firewall) to the upstream',
    };
  }
  const certificate = describeCertificateProblem(error, url.host);
  if (certificate) return { detail: `${name}: ${certificate.problem}`, fix: certificate.fix };
  const proxyStatus = proxyRefusalStatus(error);
  if (proxyStatus !== undefined)
    return {
      detail: `${name}: the proxy refused the tunnel (HTTP ${proxyStatus})`,
      fix: 'check the proxy URL and its user name and password',
    };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.includes('SIGNATURE')) {
    return {
      detail: `${name}: the TLS connection failed (${reason})`,
      fix: 'check the URL scheme (http:// or https://) and the server certificate',
    };
  }
  return { detail: `${name}: the request failed (${code ? `${code}: ` : ''}${reason})`, fix: 'check --upstream' };
}
