/** Which proxy the standard variables pick for an upstream, and how proxy URLs are shown. */
import { describe, expect, it } from 'vitest';
import { proxySecrets } from '../../src/routing/provider-connection.js';
import { describeProxyUrl, isExemptFromProxy, proxyFromEnvironment } from '../../src/upstream/proxy-settings.js';

describe('proxyFromEnvironment', () => {
  it('takes HTTPS_PROXY for https upstreams and HTTP_PROXY for http ones, lower case first', () => {
    const environment = {
      HTTPS_PROXY: 'http://secure:3128',
      HTTP_PROXY: 'http://plain:3128',
      http_proxy: 'http://lower:3128',
    };
    expect(proxyFromEnvironment(new URL('https://api.deepseek.com/v1'), environment)).toEqual({
      url: 'http://secure:3128',
      source: 'HTTPS_PROXY',
    });
    expect(proxyFromEnvironment(new URL('http://10.0.0.5:8000/v1'), environment)).toEqual({
      url: 'http://lower:3128',
      source: 'http_proxy',
    });
    expect(proxyFromEnvironment(new URL('https://api.deepseek.com/v1'), {})).toBeUndefined();
  });

  it('leaves hosts NO_PROXY names alone', () => {
    const environment = {
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: 'localhost, .internal.example,api.mistral.ai:8443',
    };
    expect(proxyFromEnvironment(new URL('https://llm.internal.example/v1'), environment)).toBeUndefined();
    expect(proxyFromEnvironment(new URL('https://api.mistral.ai/v1'), environment)?.source).toBe('HTTPS_PROXY');
  });
});

describe('isExemptFromProxy', () => {
  const cases: Array<[string, string, boolean]> = [
    ['https://api.example.com', '*', true],
    ['https://api.example.com', 'example.com', true],
    ['https://api.example.com', '.example.com', true],
    ['https://api.example.com', '*.example.com', true],
    ['https://notexample.com', 'example.com', false],
    ['http://127.0.0.1:8000', '127.0.0.1', true],
    ['http://127.0.0.1:8000', '127.0.0.1:9000', false],
    ['http://127.0.0.1:8000', '127.0.0.1:8000', true],
    ['https://api.example.com', 'api.example.com:443', true],
    ['http://[::1]:8000', '::1', true],
    ['http://[::1]:8000', '[::1]:9000', false],
    ['http://[::1]:8000', '[::1]', true],
    ['https://api.example.com', '', false],
  ];
  it.each(cases)('%s with NO_PROXY=%j → %s', (url, noProxy, exempt) => {
    expect(isExemptFromProxy(new URL(url), noProxy)).toBe(exempt);
  });
});

describe('proxy credentials', () => {
  it('are hidden when the URL is shown, and kept out of logs', () => {
    expect(describeProxyUrl('http://alice:s%40cret-password@proxy.corp:3128')).toBe('http://***:***@proxy.corp:3128');
    expect(describeProxyUrl('http://proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(proxySecrets('http://alice:s%40cret-password@proxy.corp:3128')).toEqual([
      's%40cret-password',
      's@cret-password',
    ]);
  });
});
