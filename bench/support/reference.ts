/**
 * A fixed piece of CPU work (JSON parsing and serialisation of Chat chunks,
 * the relay's own staple), timed in CPU milliseconds. On a shared or
 * virtual machine the same code runs faster or slower from hour to hour;
 * this figure, recorded with every run, shows by how much, so runs taken at
 * different times can be compared.
 */
import { deltaChunk } from '../../harness/chat-chunks.js';

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU ms for 20,000 parse + stringify round trips of a typical chunk; the best of five. */
export function measureReferenceCpuMs(): number {
  const payload = JSON.stringify(deltaChunk({ content: 'the relay streams every token, ' }));
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const startedAt = cpuMs();
    for (let index = 0; index < 20_000; index++) sink += JSON.stringify(JSON.parse(payload)).length;
    best = Math.min(best, cpuMs() - startedAt);
  }
  if (sink === 0) throw new Error('unreachable: the reference workload produced nothing');
  return best;
}
