/**
 * Several API keys for one provider, rotated round-robin over the healthy
 * ones. A key the upstream refuses (401/403) is set aside; a rate-limited
 * key rests for its Retry-After or a growing backoff; a key out of quota
 * rests for a long time. Keys are known by the name of the variable that
 * holds them, never by their value. The clock is passed in.
 */
import type { UpstreamFailure } from '../translate/upstream-errors.js';

export interface PoolKey {
  /** The environment variable the key came from: how logs, metrics and `doctor` name it. */
  variable: string;
  value: string;
}

export type KeyStatus = 'healthy' | 'resting' | 'set_aside';

/** What happened to one key, counted for /metrics. */
export type KeyOutcome = 'served' | 'refused' | 'rate_limited' | 'out_of_quota' | 'failed';

export const KEY_OUTCOMES: readonly KeyOutcome[] = ['served', 'refused', 'rate_limited', 'out_of_quota', 'failed'];

/** A change of a key's status, for the log. */
export interface KeyEvent {
  variable: string;
  status: KeyStatus;
  /** Seconds the key rests (status `resting`). */
  restSeconds?: number;
  reason: string;
}

export interface KeyReport {
  variable: string;
  status: KeyStatus;
  /** Seconds left to rest (status `resting`). */
  restingForSeconds?: number;
  reason?: string;
  counts: Record<KeyOutcome, number>;
}

/** How long a key out of quota rests: quotas refill slowly, if at all. */
export const QUOTA_REST_SECONDS = 3600;
/** The longest backoff of a key rate limited again and again without a Retry-After. */
const MAX_BACKOFF_SECONDS = 60;

interface KeyState {
  key: PoolKey;
  status: KeyStatus;
  restUntil: number;
  reason: string | undefined;
  /** Rate limits in a row, for the backoff. */
  rateLimitsInARow: number;
  counts: Record<KeyOutcome, number>;
}

/** True for the failures that say something about the key rather than the request. */
export function isKeyFailure(failure: UpstreamFailure): boolean {
  return (
    failure.code === 'authentication' ||
    failure.code === 'permission' ||
    failure.code === 'rate_limit_exceeded' ||
    failure.code === 'insufficient_quota'
  );
}

export class KeyPool {
  private readonly states: KeyState[];
  private nextIndex = 0;

  constructor(keys: readonly PoolKey[]) {
    if (keys.length === 0) throw new Error('a key pool needs at least one key');
    this.states = keys.map((key) => ({
      key,
      status: 'healthy',
      restUntil: 0,
      reason: undefined,
      rateLimitsInARow: 0,
      counts: zeroCounts(),
    }));
  }

  get keys(): PoolKey[] {
    return this.states.map((state) => state.key);
  }

  /**
   * The next key to try for a request that already tried `tried` (variable
   * names): a healthy key in turn; when every key is set aside and none
   * rests, one set-aside key as the request's first (the client then hears
   * the upstream's refusal, and a key accepted again is noticed); undefined
   * when the rest are resting or tried.
   */
  pick(now: number, tried: ReadonlySet<string>): PoolKey | undefined {
    this.wakeRested(now);
    const count = this.states.length;
    const untried = (state: KeyState) => !tried.has(state.key.variable);
    const lastResort = tried.size === 0 && !this.states.some((state) => state.status === 'resting');
    for (const wanted of lastResort ? (['healthy', 'set_aside'] as const) : (['healthy'] as const)) {
      for (let step = 0; step < count; step++) {
        const index = (this.nextIndex + step) % count;
        const state = this.states[index]!;
        if (state.status !== wanted || !untried(state)) continue;
        this.nextIndex = (index + 1) % count;
        return state.key;
      }
    }
    return undefined;
  }

  /** Records how a request with `key` went; returns the change of status, if any. */
  report(key: PoolKey, failure: UpstreamFailure | undefined, now: number): KeyEvent | undefined {
    const state = this.states.find((candidate) => candidate.key === key);
    if (!state) return undefined;
    if (failure === undefined) {
      state.counts.served++;
      state.rateLimitsInARow = 0;
      const recovered = state.status === 'set_aside';
      state.status = 'healthy';
      state.reason = undefined;
      return recovered ? { variable: key.variable, status: 'healthy', reason: 'accepted again' } : undefined;
    }
    switch (failure.code) {
      case 'authentication':
      case 'permission': {
        state.counts.refused++;
        if (state.status === 'set_aside') return undefined;
        state.status = 'set_aside';
        state.reason = `refused (HTTP ${failure.status ?? (failure.code === 'authentication' ? 401 : 403)})`;
        return { variable: key.variable, status: 'set_aside', reason: state.reason };
      }
      case 'rate_limit_exceeded': {
        state.counts.rate_limited++;
        state.rateLimitsInARow++;
        const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** (state.rateLimitsInARow - 1));
        return this.rest(state, Math.max(failure.retryAfterSeconds ?? 0, backoff), 'rate limited', now);
      }
      case 'insufficient_quota':
        state.counts.out_of_quota++;
        return this.rest(state, Math.max(failure.retryAfterSeconds ?? 0, QUOTA_REST_SECONDS), 'out of quota', now);
      default:
        // Not the key's fault: the retry policy deals with it.
        state.counts.failed++;
        return undefined;
    }
  }

  /** Seconds until the first resting key may be used again; undefined when none rests. */
  shortestRestSeconds(now: number): number | undefined {
    this.wakeRested(now);
    const waits = this.states
      .filter((state) => state.status === 'resting')
      .map((state) => (state.restUntil - now) / 1000);
    return waits.length === 0 ? undefined : Math.max(0, Math.min(...waits));
  }

  /** Each key's status and counters, for /metrics and logs. */
  describe(now: number): KeyReport[] {
    this.wakeRested(now);
    return this.states.map((state) => ({
      variable: state.key.variable,
      status: state.status,
      ...(state.status === 'resting' ? { restingForSeconds: Math.ceil((state.restUntil - now) / 1000) } : {}),
      ...(state.reason !== undefined ? { reason: state.reason } : {}),
      counts: { ...state.counts },
    }));
  }

  private rest(state: KeyState, seconds: number, reason: string, now: number): KeyEvent | undefined {
    // A set-aside key stays set aside: a rate limit says nothing about whether it is accepted.
    if (state.status === 'set_aside') return undefined;
    state.status = 'resting';
    state.reason = reason;
    state.restUntil = now + seconds * 1000;
    return { variable: state.key.variable, status: 'resting', restSeconds: seconds, reason };
  }

  private wakeRested(now: number): void {
    for (const state of this.states) {
      if (state.status === 'resting' && state.restUntil <= now) {
        state.status = 'healthy';
        state.reason = undefined;
      }
    }
  }
}

function zeroCounts(): Record<KeyOutcome, number> {
  return { served: 0, refused: 0, rate_limited: 0, out_of_quota: 0, failed: 0 };
}
