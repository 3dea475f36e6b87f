/**
 * Bounds the upstream calls in flight. Requests past the limit wait in a
 * bounded queue (in arrival order); when the queue is full the relay answers
 * 503 with Retry-After at once instead of piling up work.
 */
import { RelayError } from '../errors.js';

interface Waiter {
  grant: (release: () => void) => void;
  reject: (error: unknown) => void;
}

export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
    /** Seconds suggested to a client turned away. */
    readonly retryAfterSeconds = 1,
  ) {}

  get activeCount(): number {
    return this.active;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.maxActive) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new RelayError(
          `The relay is at its limit of ${this.maxActive} concurrent upstream requests and ${this.maxQueued} waiting; try again shortly.`,
          {
            status: 503,
            type: 'server_error',
            code: 'server_is_overloaded',
            retryAfterSeconds: this.retryAfterSeconds,
          },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, reject };
      this.waiting.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const position = this.waiting.indexOf(waiter);
          if (position !== -1) {
            this.waiting.splice(position, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant(this.releaser());
      else this.active--;
    };
  }
}
