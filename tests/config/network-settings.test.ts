/** Proxy, CA and key-pool settings from flags, the config file and the environment. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRouter } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';
import { createTestCertificates, type TestCertificates } from '../support/test-certificates.js';

let certificates: TestCertificates;
beforeAll(() => {
  certificates = createTestCertificates();
});
afterAll(() => certificates?.remove());

const KEYS = { WORK_A: 'sk-work-a', WORK_B: 'sk-work-b', HOME_KEY: 'sk-home' };

function file(text: string) {
  return parseConfigText(text, join(certificates.directory, 'relay.toml'));
}

describe('network settings', () => {
  it('gives each provider its own proxy, else --upstream-proxy, else HTTPS_PROXY; CA files add up', () => {
    const config = file(`
[providers.work]
base_url = "https://llm.corp.example/v1"
api_key_envs = ["WORK_A", "WORK_B"]
proxy = "http://proxy.corp.example:3128"
ca_file = "ca.pem"

[providers.home]
base_url = "https://api.example.com/v1"
api_key_env = "HOME_KEY"
`);
    const router = buildRouter(
      { upstreamCa: certificates.caFile },
      config,
      { ...KEYS, HTTPS_PROXY: 'http://env-proxy:8080' },
      { requireKeys: true },
    );
    const work = router.providers.get('work')!;
    expect(work.network?.proxy).toEqual({ url: 'http://proxy.corp.example:3128', source: 'providers.work.proxy' });
    expect(work.network?.caFiles).toEqual([certificates.caFile, join(certificates.directory, 'ca.pem')]);
    expect(work.network!.trusted.length).toBeGreaterThan(2);
    expect(work.keyPool?.keys.map((key) => key.variable)).toEqual(['WORK_A', 'WORK_B']);
    expect(work.endpoint.apiKey).toBe('sk-work-a');
    const home = router.providers.get('home')!;
    expect(home.network?.proxy).toEqual({ url: 'http://env-proxy:8080', source: 'HTTPS_PROXY' });
    expect(home.keyPool).toBeUndefined();

    const local = file('[providers.local]\nprofile = "ollama"\nproxy = "none"\n');
    expect(
      buildRouter(
        { upstreamProxy: 'http://flag-proxy:3128' },
        local,
        { HTTP_PROXY: 'http://env-proxy:8080' },
        { requireKeys: true },
      ).defaultProvider.network,
    ).toBeUndefined();

    const flagged = buildRouter(
      { upstreamProxy: 'http://flag-proxy:3128' },
      config,
      { ...KEYS, HTTPS_PROXY: 'http://env-proxy:8080' },
      { requireKeys: true },
    );
    expect(flagged.providers.get('home')!.network?.proxy?.source).toBe('--upstream-proxy');
    expect(flagged.providers.get('work')!.network?.proxy?.source).toBe('providers.work.proxy');
  });

  it('reaches providers directly, with the system roots, when nothing is set', () => {
    const router = buildRouter(
      { upstream: 'https://api.example.com/v1', upstreamKey: 'sk-x' },
      undefined,
      { NO_PROXY: '*', HTTPS_PROXY: 'http://p:1' },
      { requireKeys: true },
    );
    expect(router.defaultProvider.network).toBeUndefined();
  });

  it('explains bad settings in one line naming the option', () => {
    const single = (flags: Record<string, string>) => () =>
      buildRouter(
        { upstream: 'https://api.example.com/v1', upstreamKey: 'sk-x', ...flags },
        undefined,
        {},
        { requireKeys: true },
      );
    expect(single({ upstreamProxy: 'socks5://proxy:1080' })).toThrow(
      '--upstream-proxy must start with http:// or https:// (SOCKS proxies are not supported)',
    );
    expect(single({ upstreamCa: join(certificates.directory, 'absent.pem') })).toThrow(
      /^--upstream-ca: cannot read the CA file .*absent\.pem/,
    );
    const notPem = join(certificates.directory, 'server.ext');
    expect(single({ upstreamCa: notPem })).toThrow(`--upstream-ca: the CA file ${notPem} holds no PEM certificate`);
    const broken = join(certificates.directory, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    expect(single({ upstreamCa: broken })).toThrow(/certificate 1 in the CA file .*broken\.pem cannot be read/);
    expect(() =>
      buildRouter({ upstream: 'https://api.example.com/v1', upstreamKeyEnv: 'WORK_A,sk-live-123' }, undefined, KEYS, {
        requireKeys: true,
      }),
    ).toThrow("--upstream-key-env: 'sk-live-123' is not an environment variable name");
    expect(() =>
      file('[providers.a]\nbase_url = "https://a.example/v1"\napi_key_env = "A"\napi_key_envs = ["B", "C"]\n'),
    ).toThrow('providers.a: give either api_key_env or api_key_envs, not both');
    expect(() => file('[providers.a]\nbase_url = "https://a.example/v1"\nproxy = "proxy:3128"\n')).toThrow(
      'providers.a.proxy: expected an http:// or https:// proxy URL, e.g. http://proxy.example.com:3128, or "none"',
    );
    expect(() =>
      buildRouter(
        {},
        file('[providers.a]\nbase_url = "https://a.example/v1"\nca_file = "nope.pem"\n'),
        {},
        { requireKeys: false },
      ),
    ).toThrow(/^providers\.a\.ca_file: cannot read the CA file/);
  });
});
