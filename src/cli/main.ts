#!/usr/bin/env node
/**
 * The `responses-relay` command line. `serve` is the default command; every
 * flag can also be set as RESPONSES_RELAY_<FLAG> in the environment.
 * `doctor` takes the same flags and checks them, the store and the upstreams.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { CliError } from './cli-error.js';
import { runDoctor } from './doctor-command.js';
import { withOperationsOptions } from './operations-options.js';
import { providerHelp } from './provider-option.js';
import { buildRouterFromOptions, runServe, type ServeOptions } from './serve-command.js';

/** The flags of `serve` (and of `doctor`, which checks them). */
function withServeOptions<T>(command: Argv<T>) {
  return withOperationsOptions(
    command
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('port', { type: 'number', default: 4444, describe: 'Port to listen on (0 picks a free port)' })
      .option('provider', { type: 'string', describe: 'Provider profile (see the list below): its quirks, default URL and key variable' })
      .option('upstream', { type: 'string', describe: 'Chat Completions base URL, usually ending in /v1 (overrides the profile\'s)' })
      .option('upstream-key-env', { type: 'string', describe: 'Name of the environment variable holding the upstream API key' })
      .option('upstream-key', { type: 'string', describe: 'The upstream API key itself (prefer --upstream-key-env)' })
      .option('model-map', { type: 'string', describe: 'Model names to rewrite, as source:destination,…' })
      .option('store', { type: 'string', choices: ['memory', 'sqlite'], default: 'sqlite', describe: 'Where stored responses (previous_response_id) are kept' })
      .option('store-path', {
        type: 'string',
        describe: 'SQLite file for --store sqlite (default $XDG_STATE_HOME/responses-relay/sessions.db, else ~/.local/state/responses-relay/sessions.db)',
      })
      .option('store-ttl', { type: 'string', default: '7d', describe: 'How long a conversation nobody continues is kept (e.g. 7d, 12h, 30m)' })
      .option('store-max-mb', {
        type: 'number',
        describe: 'Memory budget (memory) or size cap (sqlite) in MB; least recently used conversations go first (default 256 / 1024)',
      })
      .option('log-level', { type: 'string', choices: LOG_LEVELS, default: 'info', describe: 'Log level (logs go to stderr as JSON)' }),
  );
}

type ServeArgs = Awaited<ReturnType<typeof withServeOptions>['argv']>;

function serveOptions(args: ServeArgs): ServeOptions {
  return {
    host: args.host,
    port: args.port,
    provider: args.provider,
    upstream: args.upstream,
    upstreamKeyEnv: args.upstreamKeyEnv,
    upstreamKey: args.upstreamKey,
    modelMap: args.modelMap,
    logLevel: args.logLevel as LogLevel,
    store: args.store,
    storePath: args.storePath,
    storeTtl: args.storeTtl,
    storeMaxMb: args.storeMaxMb,
    authToken: args.authToken,
    maxBodyMb: args.maxBodyMb,
    maxConcurrent: args.maxConcurrent,
    maxQueue: args.maxQueue,
    connectTimeout: args.connectTimeout,
    firstByteTimeout: args.firstByteTimeout,
    idleTimeout: args.idleTimeout,
    totalTimeout: args.totalTimeout,
    heartbeat: args.heartbeat,
    shutdownGrace: args.shutdownGrace,
    logContent: args.logContent,
  };
}

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('responses-relay')
    .env('RESPONSES_RELAY')
    .command(
      ['serve', '$0'],
      'Serve the OpenAI Responses API on top of a Chat Completions provider',
      (command) =>
        withServeOptions(command)
          .example('$0 --provider deepseek', 'Relay to DeepSeek, key from DEEPSEEK_API_KEY')
          .example('$0 --upstream https://api.deepseek.com/v1 --upstream-key-env DEEPSEEK_API_KEY', 'Relay to DeepSeek, spelled out')
          .example('$0 --provider ollama --port 0', 'Relay to a local Ollama on a free port')
          .example('$0 --provider openrouter --model-map codex:moonshotai/kimi-k2.6', 'Codex model "codex" served by Kimi on OpenRouter')
          .example('$0 --provider vllm --store memory --store-ttl 12h', 'Keep stored responses in memory for 12 hours')
          .example('$0 --provider deepseek --host 0.0.0.0 --auth-token "$RELAY_TOKEN"', 'Serve other machines; clients must send the token')
          .epilogue(providerHelp()),
      async (args) => {
        await runServe(serveOptions(args));
      },
    )
    .command(
      'doctor',
      'Check the options, the session store and every upstream (reachable, key accepted); exit code 1 on a problem',
      (command) => withServeOptions(command).example('$0 doctor --provider deepseek', 'Check the DeepSeek set-up before starting the relay'),
      async (args) => {
        const options = serveOptions(args);
        process.exitCode = await runDoctor(options, { buildRouter: () => buildRouterFromOptions(options, process.env) });
      },
    )
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .fail((message, error) => {
      if (error) throw error;
      throw new CliError(message);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`responses-relay: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`responses-relay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
