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
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CliError } from '../config/cli-error.js';
import { providerHelp } from '../config/provider-option.js';
import { codexHome, defaultConfigPath } from '../paths.js';
import type { BackgroundCommand, BackgroundOptions } from './background/background-cli.js';
import { codexOptions, serveOptions, withServeOptions } from './command-options.js';
import { ConfigSource, findConfigLocation } from './config-location.js';
import { ignoreForeignVariables } from './environment-settings.js';
import { applyFileSettings } from './file-settings.js';
import { commandFromFlag } from './flag-commands.js';
import { packageVersion } from './package-version.js';
import { withListenOptions, withRoutingOptions } from './shared-options.js';

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
    // Given, not found by yargs: it looks for package.json from its own location, which bundling moves.
    .version(packageVersion())
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

main(commandFromFlag(hideBin(process.argv))).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`responses-relay: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`responses-relay: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
