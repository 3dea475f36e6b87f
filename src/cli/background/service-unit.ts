/**
 * `responses-relay service install|uninstall`: a systemd user unit (Linux) or
 * a launchd agent (macOS) that starts `serve` at login and restarts it when
 * it fails. The file is written; enabling it is one command, printed, that
 * the user runs (the relay never drives the init system itself).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { relayConfigDirectory } from '../../paths.js';
import type { Output } from './background-commands.js';

export type ServiceManager = 'systemd' | 'launchd';

export const SERVICE_NAME = 'responses-relay';
const LAUNCHD_LABEL = 'dev.responses-relay';

export interface ServiceDefinition {
  /** The node binary and the relay's executable. */
  command: string[];
  /** The serve arguments. */
  args: string[];
  /** Where the log goes (launchd; systemd keeps it in the journal). */
  logFile: string;
  /** A file of KEY=value lines for upstream keys (systemd). */
  environmentFile: string;
}

export function defaultServiceManager(platform: NodeJS.Platform = process.platform): ServiceManager {
  return platform === 'darwin' ? 'launchd' : 'systemd';
}

/** Where the service file goes. */
export function serviceFilePath(manager: ServiceManager, environment: NodeJS.ProcessEnv): string {
  const home = environment.HOME || homedir();
  if (manager === 'launchd') return join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  const xdg = environment.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'systemd', 'user', `${SERVICE_NAME}.service`);
}

/** The file of variables (upstream keys) the service reads. */
export function serviceEnvironmentFile(environment: NodeJS.ProcessEnv): string {
  return join(relayConfigDirectory(environment), 'service.env');
}

/** systemd quoting: double quotes, with `\`, `"`, `%` and `$` escaped. */
function systemdWord(word: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

export function renderSystemdUnit(definition: ServiceDefinition): string {
  return [
    '[Unit]',
    'Description=responses-relay: the OpenAI Responses API on Chat Completions providers',
    'After=network-online.target',
    '',
    '[Service]',
    `ExecStart=${[...definition.command, 'serve', ...definition.args].map(systemdWord).join(' ')}`,
    // Upstream keys: one KEY=value per line; the leading "-" makes the file optional.
    `EnvironmentFile=-${definition.environmentFile}`,
    'Restart=on-failure',
    'RestartSec=2',
    // The relay finishes the responses in flight on SIGTERM (25 s by default).
    'TimeoutStopSec=35',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderLaunchAgent(definition: ServiceDefinition): string {
  const argumentsXml = [...definition.command, 'serve', ...definition.args].map(
    (word) => `    <string>${xml(word)}</string>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...argumentsXml,
    '  </array>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>StandardOutPath</key>',
    `  <string>${xml(definition.logFile)}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(definition.logFile)}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** Writes the service file and prints the command that enables it. */
export function installService(
  manager: ServiceManager,
  definition: ServiceDefinition,
  environment: NodeJS.ProcessEnv,
  out: Output,
): number {
  const path = serviceFilePath(manager, environment);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, manager === 'systemd' ? renderSystemdUnit(definition) : renderLaunchAgent(definition));
  out(`wrote ${path}\n`);
  if (manager === 'systemd') {
    out(`upstream keys (e.g. DEEPSEEK_API_KEY=…) go into ${definition.environmentFile}\n`);
    out(
      `start it now and at every login:\n  systemctl --user daemon-reload && systemctl --user enable --now ${SERVICE_NAME}\n`,
    );
    out(`its log: journalctl --user -u ${SERVICE_NAME} -f\n`);
  } else {
    out(`start it now and at every login:\n  launchctl bootstrap gui/$(id -u) ${path}\n`);
    out(`its log: ${definition.logFile}\n`);
  }
  return 0;
}

/** Removes the service file and prints the command that stops it. */
export function uninstallService(manager: ServiceManager, environment: NodeJS.ProcessEnv, out: Output): number {
  const path = serviceFilePath(manager, environment);
  if (!existsSync(path)) {
    out(`no service installed (${path} does not exist)\n`);
    return 0;
  }
  const stop =
    manager === 'systemd'
      ? `systemctl --user disable --now ${SERVICE_NAME} && systemctl --user daemon-reload`
      : `launchctl bootout gui/$(id -u)/${LAUNCHD_LABEL}`;
  rmSync(path);
  out(`removed ${path}\nif it is running, stop it with:\n  ${stop}\n`);
  return 0;
}
