#!/usr/bin/env node
/**
 * The `responses-relay` command line. `serve` is the default command; every
 * serve flag can also be set as RESPONSES_RELAY_<FLAG> in the environment or
 * in the `[serve]` table of the config file (flag > variable > file > default).
 *
 * Each command loads what it runs only when it runs (dynamic imports), so
 * starting the relay does not pay for the Codex set-up or doctor code, and
 * `--help`, `print-config` and the background commands (`status`, …) do not
 * load the server. The executable is bin.ts, which answers `--version` alone.
 * A command is one `.command(name, description, builder, handler)` below,
 * the handler importing its module.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CliError } from '../config/cli-error.js';
import { providerHelp } from '../config/provider-option.js';
import { LOG_LEVELS, type LogLevel } from '../log-levels.js';
import { codexHome, defaultConfigPath } from '../paths.js';
import type { BackgroundCommand, BackgroundOptions } from './background/background-cli.js';
import { ConfigSource, findConfigLocation } from './config-location.js';
import { ignoreForeignVariables } from './environment-settings.js';
import { applyFileSettings } from './file-settings.js';
import { commandFromFlag } from './flag-commands.js';
import { withOperationsOptions } from './operations-options.js';
import type { ServeOptions } from './serve-command.js';
import { withListenOptions, withRoutingOptions } from './shared-options.js';

/** The flags of `serve` (and of `doctor`, which checks them). */
function withServeOptions<T>(command: Argv<T>) {
  return withOperationsOptions(
    withRoutingOptions(withListenOptions(command))
      .option('log-level', {
        type: 'string',
        choices: LOG_LEVELS,
        default: 'info',
        describe: 'Log level (logs go to stderr as JSON)',
      })
      .option('upstream-retries', {
        type: 'number',
        describe: 'Retries of a failed upstream request before the first byte, per route (default 2)',
      })
      .option('models-ttl', {
        type: 'number',
        describe: 'Seconds an upstream model list is reused by GET /v1/models (default 300)',
      })
      .option('store', {
        type: 'string',
        choices: ['memory', 'sqlite', 'redis'],
        default: 'sqlite',
        describe: 'Where stored responses (previous_response_id) are kept',
      })
      .option('store-path', {
        type: 'string',
        describe:
          'SQLite file for --store sqlite (default $XDG_STATE_HOME/responses-relay/sessions.db, else ~/.local/state/responses-relay/sessions.db)',
      })
      .option('store-ttl', {
        type: 'string',
        default: '7d',
        describe: 'How long a conversation nobody continues is kept (e.g. 7d, 12h, 30m)',
      })
      .option('store-max-mb', {
        type: 'number',
        describe:
          'Memory budget (memory), size cap (sqlite) or Redis maxmemory (redis) in MB; least recently used go first (default 256 / 1024 / as Redis is set)',
      })
      .option('store-url', {
        type: 'string',
        describe: 'Redis or Valkey for --store redis: redis://[user:pass@]host:port/db, rediss:// for TLS',
      })
      .option('store-prefix', {
        type: 'string',
        describe: 'Prefix of every Redis key, so one Redis serves several deployments (default responses-relay:)',
      })
      .option('usage-retention', {
        type: 'string',
        default: '30d',
        describe: 'How long the usage ledger keeps each turn (e.g. 30d, 12h)',
      }),
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
    upstreamProxy: args.upstreamProxy,
    upstreamCa: args.upstreamCa,
    logLevel: args.logLevel as LogLevel,
    upstreamRetries: args.upstreamRetries,
    modelsTtl: args.modelsTtl,
    store: args.store,
    storePath: args.storePath,
    storeTtl: args.storeTtl,
    storeMaxMb: args.storeMaxMb,
    usageRetention: args.usageRetention,
    storeUrl: args.storeUrl,
    storePrefix: args.storePrefix,
    authToken: args.authToken,
    allowOrigin: args.allowOrigin,
    allowHost: args.allowHost,
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
    compactionKeyEnv: args.compactionKeyEnv,
  };
}

async function main(argv: string[]): Promise<void> {
  const environment = process.env;
  const config = new ConfigSource(findConfigLocation(argv, environment));
  await yargs(argv)
    .scriptName('responses-relay')
    .env('RESPONSES_RELAY')
    .middleware(ignoreForeignVariables('RESPONSES_RELAY', environment, argv), true)
    .option('config', {
      type: 'string',
      describe: `Config file (TOML); default ${defaultConfigPath(environment)}, used when present`,
    })
    .command(
      ['serve', '$0'],
      'Serve the OpenAI Responses API on top of Chat Completions providers',
      (command) =>
        applyFileSettings(
          withServeOptions(command)
            .example('$0 --provider deepseek', 'Relay to DeepSeek, key from DEEPSEEK_API_KEY')
            .example(
              '$0 --upstream https://api.deepseek.com/v1 --upstream-key-env DEEPSEEK_API_KEY',
              'Relay to DeepSeek, spelled out',
            )
            .example('$0 --provider ollama --port 0', 'Relay to a local Ollama on a free port')
            .example(
              '$0 --provider openrouter --model-map codex:moonshotai/kimi-k2.6',
              'Codex model "codex" served by Kimi on OpenRouter',
            )
            .example(
              '$0 --provider vllm --store memory --store-ttl 12h',
              'Keep stored responses in memory for 12 hours',
            )
            .example('$0 --config ~/relay.toml', 'Several providers, aliases and fallbacks from a config file')
            .example(
              '$0 --provider deepseek --host 0.0.0.0 --auth-token "$RELAY_TOKEN"',
              'Serve other machines; clients must send the token',
            )
            .epilogue(providerHelp()),
          config.file(),
          { strict: true },
        ),
      async (args) => {
        const [{ runServe }, { applyHeapSettings }] = await Promise.all([
          import('./serve-command.js'),
          import('./heap-settings.js'),
        ]);
        applyHeapSettings();
        await runServe(serveOptions(args), config.file(), environment);
      },
    )
    .command(
      'doctor',
      'Check the options, the session store and every upstream (reachable, key accepted); exit code 1 on a problem',
      (command) =>
        applyFileSettings(
          withServeOptions(command).example(
            '$0 doctor --provider deepseek',
            'Check the DeepSeek set-up before starting the relay',
          ),
          config.file(),
          {
            strict: true,
          },
        ),
      async (args) => {
        const [{ runDoctor }, { buildRouter }] = await Promise.all([
          import('./doctor-command.js'),
          import('../config/build-router.js'),
        ]);
        const options = serveOptions(args);
        process.exitCode = await runDoctor(options, {
          buildRouter: () => buildRouter(options, config.file(), environment, { requireKeys: true }),
        });
      },
    )
    .command(
      'init',
      'Write a commented starter config file',
      (command) =>
        command
          .option('provider', {
            type: 'string',
            default: 'deepseek',
            describe: 'The profile the starter config is set up for',
          })
          .option('force', { type: 'boolean', default: false, describe: 'Replace an existing config file' }),
      async (args) => {
        const { runInit } = await import('./init-command.js');
        const path = runInit({ provider: args.provider, force: args.force }, config.location);
        process.stdout.write(`wrote ${path}\n`);
      },
    )
    .command(
      'models',
      'List every routed model with its context window (reads the config; no relay needed)',
      (command) =>
        applyFileSettings(
          withRoutingOptions(command).option('json', {
            type: 'boolean',
            default: false,
            describe: 'Print JSON as GET /v1/models answers',
          }),
          config.file(),
          {
            strict: false,
          },
        ),
      async (args) => {
        const [{ buildRouter }, { listModelsOnce }, { formatModelJson, formatModelTable }] = await Promise.all([
          import('../config/build-router.js'),
          import('./list-models.js'),
          import('./models-command.js'),
        ]);
        const router = buildRouter(args, config.file(), environment, { requireKeys: false });
        const models = await listModelsOnce(router);
        process.stdout.write(args.json ? formatModelJson(models) : formatModelTable(models));
      },
    )
    .command(
      'usage',
      'Show what the relay served: turns, tokens, estimated cost and cache savings (reads the SQLite store or Redis; no relay needed)',
      (command) =>
        applyFileSettings(
          command
            .option('store', {
              type: 'string',
              choices: ['memory', 'sqlite', 'redis'],
              default: 'sqlite',
              describe: 'Where the relay keeps its store (as for serve)',
            })
            .option('store-path', { type: 'string', describe: 'SQLite file of the relay (default as for serve)' })
            .option('store-url', {
              type: 'string',
              describe: 'Redis or Valkey of the relays for --store redis (as for serve)',
            })
            .option('store-prefix', {
              type: 'string',
              describe: "Prefix of the relays' Redis keys (default responses-relay:)",
            })
            .option('since', {
              type: 'string',
              default: '7d',
              describe: 'Start of the period: a duration ago (7d, 12h), an ISO date or Unix seconds',
            })
            .option('until', { type: 'string', describe: 'End of the period (same forms; default now)' })
            .option('by', {
              type: 'string',
              choices: ['model', 'provider', 'client', 'day', 'hour'],
              default: 'model',
              describe: 'One row per …',
            })
            .option('json', { type: 'boolean', default: false, describe: 'Print JSON as GET /v1/usage answers' }),
          config.file(),
          { strict: false },
        ),
      async (args) => {
        const { runUsage } = await import('./usage-command.js');
        process.stdout.write(
          await runUsage(
            {
              store: args.store,
              storePath: args.storePath,
              storeUrl: args.storeUrl,
              storePrefix: args.storePrefix,
              since: args.since,
              until: args.until,
              by: args.by,
              json: args.json,
            },
            environment,
          ),
        );
      },
    )
    .command(
      'print-config',
      'Print the Codex config.toml fragment for this relay and write its model catalog',
      (command) =>
        applyFileSettings(codexOptions(withRoutingOptions(withListenOptions(command))), config.file(), {
          strict: false,
        }),
      async (args) => {
        const [{ buildRouter }, { prepareCodexSettings }, { printCodexConfig }] = await Promise.all([
          import('../config/build-router.js'),
          import('./codex-settings.js'),
          import('./codex-output.js'),
        ]);
        const router = buildRouter(args, config.file(), environment, { requireKeys: false });
        if (args.client === 'claude-code')
          return (await import('./claude-code-command.js')).printClaudeCodeConfig(args, router);
        const prepared = await prepareCodexSettings(args, router, config.file(), environment);
        printCodexConfig(prepared);
      },
    )
    .command(
      'setup',
      "Write the relay into Codex's config.toml (backup first; --undo restores)",
      (command) =>
        applyFileSettings(
          codexOptions(withRoutingOptions(withListenOptions(command))).option('undo', {
            type: 'boolean',
            default: false,
            describe: "Restore Codex's config as it was before setup",
          }),
          config.file(),
          { strict: false },
        ),
      async (args) => {
        const [{ buildRouter }, { prepareCodexSettings }, { reportSetup, reportUndo }, { runSetup, runUndo }] =
          await Promise.all([
            import('../config/build-router.js'),
            import('./codex-settings.js'),
            import('./codex-output.js'),
            import('./setup-command.js'),
          ]);
        if (args.client === 'claude-code')
          return (await import('./claude-code-command.js')).setUpClaudeCode(
            args,
            () => buildRouter(args, config.file(), environment, { requireKeys: false }),
            environment,
          );
        const home = codexHome(environment);
        if (args.undo) {
          reportUndo(runUndo(home));
          return;
        }
        const router = buildRouter(args, config.file(), environment, { requireKeys: false });
        const prepared = await prepareCodexSettings(args, router, config.file(), environment);
        reportSetup(runSetup(prepared.settings, home), prepared);
      },
    )
    .command(
      'start',
      'Start the relay in the background (takes the serve options) and wait until it listens; PID and log under $XDG_STATE_HOME/responses-relay',
      (command) =>
        applyFileSettings(
          withServeOptions(command).example('$0 start --provider deepseek', 'Relay to DeepSeek in the background'),
          config.file(),
          { strict: true },
        ),
      (args) => runBackground('start', argv, { shutdownGrace: args.shutdownGrace }),
    )
    .command(
      'restart',
      'Stop the background relay and start it again, with new serve options or the ones it had',
      (command) => applyFileSettings(withServeOptions(command), config.file(), { strict: true }),
      (args) => runBackground('restart', argv, { shutdownGrace: args.shutdownGrace }),
    )
    .command(
      'status',
      'Say whether the background relay runs, where it listens and its PID (exit 3 when it does not)',
      {},
      () => runBackground('status', argv),
    )
    .command('stop', 'Stop the background relay: gracefully, forced once its shutdown grace is over', {}, () =>
      runBackground('stop', argv),
    )
    .command(
      'logs',
      "Print the background relay's log",
      (command) =>
        command
          .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing what is appended' })
          .option('lines', {
            alias: 'n',
            type: 'number',
            default: 100,
            describe: 'How many of the last lines to print',
          }),
      (args) => runBackground('logs', argv, { follow: args.follow, lines: args.lines }),
    )
    .command(
      'service <action>',
      'Write (install) or remove (uninstall) a systemd user unit or launchd agent that starts the relay at login (takes the serve options)',
      (command) =>
        withServeOptions(command)
          .positional('action', { type: 'string', choices: ['install', 'uninstall'], demandOption: true })
          .option('manager', {
            type: 'string',
            choices: ['systemd', 'launchd'],
            describe: 'The init system (default: launchd on macOS, systemd elsewhere)',
          }),
      (args) => runBackground('service', argv, { action: args.action, manager: args.manager }),
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

/** Runs a background command (start, status, …); they never load the server. */
async function runBackground(
  command: BackgroundCommand,
  argv: string[],
  options: BackgroundOptions = {},
): Promise<void> {
  const { runBackgroundCommand } = await import('./background/background-cli.js');
  process.exitCode = await runBackgroundCommand(command, argv, options, process.env);
}

/** Options of the commands that write Codex settings. */
function codexOptions<T>(command: Argv<T>) {
  return command
    .option('model', { type: 'string', describe: 'The model Codex starts with (an alias or a routed model name)' })
    .option('catalog', {
      type: 'string',
      describe: 'Where to write the Codex model catalog (default beside the config file)',
    })
    .option('env-key', {
      type: 'string',
      describe: 'The variable Codex sends to the relay as its key (default RESPONSES_RELAY_CLIENT_KEY)',
    })
    .option('client', {
      choices: ['codex', 'claude-code'] as const,
      default: 'codex' as const,
      describe: 'The client to configure: Codex (config.toml) or Claude Code (environment, ~/.claude/settings.json)',
    })
    .option('small-model', {
      type: 'string',
      describe: 'Claude Code only: its small/fast model (default: the same as --model)',
    });
}

main(commandFromFlag(hideBin(process.argv))).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`responses-relay: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`responses-relay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
