/**
 * Throttling emulation (off by default): one token bucket per app. An empty bucket answers
 * 429 with Retry-After, as the Outlook throttling announcement describes (live-behaviour.md:
 * throttling). The numbers are the user's (`--throttle N`), not the service's.
 */
export interface ThrottleOptions {
  /** sustained requests per second per app */
  requestsPerSecond: number;
  /** bucket size; default one second's worth */
  burst?: number;
  /** clock in milliseconds, replaceable by tests */
  now?: () => number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions) {
    if (!(options.requestsPerSecond > 0)) throw new Error('throttle: requestsPerSecond must be a positive number');
    this.rate = options.requestsPerSecond;
    this.capacity = Math.max(1, options.burst ?? options.requestsPerSecond);
    this.now = options.now ?? Date.now;
  }

  /** Takes one token; returns 0 when granted, else the whole seconds to wait (Retry-After). */
  take(appId: string): number {
    const now = this.now();
    const bucket = this.buckets.get(appId) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    this.buckets.set(appId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }

  reset(): void {
    this.buckets.clear();
  }
}
