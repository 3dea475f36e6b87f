/** The capture normaliser makes fixtures independent of machine, clock and chance. */
import { describe, expect, it } from 'vitest';
import { CaptureNormalizer } from '../../scripts/capture/normalize.js';

const THREAD = '01a1fb3b-d7a9-7a71-b402-c360dc26a8c8';
const TURN = '01a1fb3b-d7b4-7380-967c-2c093603ff81';

function normalizer(): CaptureNormalizer {
  return new CaptureNormalizer({
    paths: [
      { path: '/tmp/relay-codex-abc/project', placeholder: '<project>' },
      { path: '/tmp/relay-codex-abc', placeholder: '<tmp>' },
    ],
  });
}

describe('CaptureNormalizer', () => {
  it('replaces paths, ids, dates, timings and the OS, keeping structure', () => {
    const record = normalizer().request(
      'POST',
      '/v1/responses',
      {
        host: '127.0.0.1:45993',
        'content-length': '38575',
        'user-agent': 'codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.169.0)',
        'session-id': THREAD,
        'x-codex-turn-metadata': JSON.stringify({
          session_id: THREAD,
          turn_id: TURN,
          turn_started_at_unix_ms: 1795216365494,
        }),
      },
      {
        prompt_cache_key: THREAD,
        client_metadata: { turn_id: TURN, thread_id: THREAD },
        input: [
          {
            type: 'message',
            id: `msg_${TURN}`,
            content: [
              {
                type: 'input_text',
                text: '<cwd>/tmp/relay-codex-abc/project</cwd>\n<current_date>2026-11-20</current_date>\n<timezone>Europe/Paris</timezone>',
              },
            ],
          },
          {
            type: 'function_call_output',
            call_id: 'call_1',
            output: 'Chunk ID: 6dadf0\nWall time: 0.0238 seconds\nOutput:\nhi\n',
          },
          { type: 'function_call', call_id: 'call_1', arguments: '{"path":"/tmp/relay-codex-abc/x.txt"}' },
        ],
      },
    );
    expect(record.headers).toEqual({
      host: '127.0.0.1:<port>',
      'session-id': '<uuid-1>',
      'user-agent': 'codex_exec/0.169.0 (<os>) <terminal> (codex_exec; 0.169.0)',
      'x-codex-turn-metadata': '{"session_id":"<uuid-1>","turn_id":"<uuid-2>","turn_started_at_unix_ms":0}',
    });
    expect(record.body).toEqual({
      prompt_cache_key: '<uuid-1>',
      // Sorted: Codex fills it from a hash map.
      client_metadata: { thread_id: '<uuid-1>', turn_id: '<uuid-2>' },
      input: [
        {
          type: 'message',
          id: 'msg_<uuid-2>',
          content: [
            {
              type: 'input_text',
              text: '<cwd><project></cwd>\n<current_date><date></current_date>\n<timezone><tz></timezone>',
            },
          ],
        },
        {
          type: 'function_call_output',
          call_id: 'call_1',
          output: 'Chunk ID: <chunk-id>\nWall time: <seconds> seconds\nOutput:\nhi\n',
        },
        { type: 'function_call', call_id: 'call_1', arguments: '{"path":"<tmp>/x.txt"}' },
      ],
    });
    expect(Object.keys((record.body as { client_metadata: object }).client_metadata)).toEqual(['thread_id', 'turn_id']);
  });

  it('keeps text that only looks like JSON exactly as it was, apart from the text rules', () => {
    const record = normalizer().request('POST', '/v1/responses', {}, { arguments: '{ "cmd": "date 2026-01-01" }' });
    expect(record.body).toEqual({ arguments: '{ "cmd": "date <date>" }' });
  });

  it('numbers ids by first appearance, the same way on every run', () => {
    const first = normalizer().request('POST', '/p', { a: TURN, b: THREAD }, null);
    const second = normalizer().request('POST', '/p', { a: TURN, b: THREAD }, null);
    expect(first).toEqual(second);
    expect(first.headers).toEqual({ a: '<uuid-1>', b: '<uuid-2>' });
  });
});
