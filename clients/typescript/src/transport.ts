import { ArbiterError } from './errors.js';

/** The User-Agent of every request. */
export const USER_AGENT = 'arbiter-client-typescript/0.1.0';

/**
 * Exponential backoff with jitter: the n-th retry (from 1) waits between half and all of
 * `min(capMs, baseMs * 2^(n-1))`, and never less than the server's `Retry-After`.
 */
export class Backoff {
  static readonly DEFAULT_BASE_MS = 200;
  static readonly DEFAULT_CAP_MS = 10_000;
  static readonly DEFAULT_MAX_RETRIES = 6;

  readonly baseMs: number;
  readonly capMs: number;
  /** Retries of one request before its error is thrown; `Infinity` retries until stopped. */
  readonly maxRetries: number;

  constructor(options: { baseMs?: number; capMs?: number; maxRetries?: number } = {}) {
    this.baseMs = options.baseMs ?? Backoff.DEFAULT_BASE_MS;
    this.capMs = options.capMs ?? Backoff.DEFAULT_CAP_MS;
    this.maxRetries = options.maxRetries ?? Backoff.DEFAULT_MAX_RETRIES;
  }

  /** How long the `retry`-th retry waits, in milliseconds; `retryAfterSeconds` is the answer's `Retry-After`. */
  delayMs(retry: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.max(0, retry - 1));
    return Math.max(ceiling / 2 + random() * ceiling / 2, (retryAfterSeconds ?? 0) * 1000);
  }
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) {
    return undefined;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  const when = Date.parse(text);
  return Number.isNaN(when) ? undefined : Math.max(0, (when - now) / 1000);
}

/** Statuses whose request the server did not act on: retried after a backoff. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 503]);

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | string[] | undefined | null>;
  headers?: Record<string, string>;
  /** How long one try may take (default the transport's). */
  timeoutMs?: number;
  /** Retry 503, 429 and, when `idempotent`, connection failures (default true). */
  retry?: boolean;
  /** Whether a request that may have reached the server can be sent again (default true). */
  idempotent?: boolean;
  backoff?: Backoff;
}

export interface Response<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sleeps `ms`, or less when `signal` aborts; answers whether the sleep ran its course. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A failure of the connection rather than an answer: the request may or may not have reached the server. */
export function transient(error: unknown): boolean {
  const name = error && typeof error === 'object' && 'name' in error ? (error as { name: unknown }).name : undefined;
  return !(error instanceof ArbiterError) && (name === 'TypeError' || name === 'TimeoutError');
}

/** Requests to one Arbiter with one bearer token, JSON in and out, problems thrown as `ArbiterError`. */
export class Transport {
  static readonly DEFAULT_TIMEOUT_MS = 30_000;

  readonly base: string;
  readonly root: string;
  readonly timeoutMs: number;
  readonly backoff: Backoff;
  private readonly token: string;
  private readonly stopped = new AbortController();

  constructor(url: string, token: string, options: { timeoutMs?: number; backoff?: Backoff } = {}) {
    this.root = url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.base = `${this.root}/api/v1`;
    this.token = token;
    this.timeoutMs = options.timeoutMs ?? Transport.DEFAULT_TIMEOUT_MS;
    this.backoff = options.backoff ?? new Backoff();
  }

  /** Ends the retry waits now: a request waiting to be retried throws its last error. */
  stopRetrying(): void {
    this.stopped.abort();
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.base + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) {
        url.searchParams.set(name, Array.isArray(value) ? value.join(',') : String(value));
      }
    }
    return url.toString();
  }

  /**
   * Sends one request and answers its 2xx; throws `ArbiterError` for any other status. With `retry`, 503 and 429 are
   * retried (honouring `Retry-After`: the server did not act on the request) and, when the request is `idempotent`,
   * connection failures too (it may have acted on it).
   */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const policy = options.backoff ?? this.backoff;
    for (let attempt = 1; ; attempt++) {
      let retryAfter: number | undefined;
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        const retryable = error instanceof ArbiterError ? RETRYABLE_STATUS.has(error.status)
          : options.idempotent !== false && transient(error);
        if (options.retry === false || !retryable || attempt > policy.maxRetries) {
          throw error;
        }
        retryAfter = error instanceof ArbiterError ? error.retryAfter : undefined;
      }
      if (!(await sleep(policy.delayMs(attempt, retryAfter), this.stopped.signal))) {
        throw new ArbiterError(503, `${method} ${path}: stopped while waiting to retry`);
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<Response<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`, Accept: 'application/json', 'User-Agent': USER_AGENT,
      ...options.headers,
    };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const answer = await fetch(this.url(path, options.query), {
      method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
    });
    const text = await answer.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (answer.status >= 200 && answer.status < 300) {
      return { status: answer.status, headers: answer.headers, body: body as T };
    }
    throw ArbiterError.fromProblem(answer.status, body, retryAfterSeconds(answer.headers.get('Retry-After')));
  }

  /** Opens a server-sent events stream (no bearer header: `query` carries a one-time ticket). */
  async openStream(path: string, query: RequestOptions['query'], signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const answer = await fetch(this.url(path, query), {
      headers: { Accept: 'text/event-stream', 'User-Agent': USER_AGENT }, signal,
    });
    if (answer.status !== 200 || !answer.body) {
      const text = await answer.text().catch(() => '');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the text is the detail
      }
      throw ArbiterError.fromProblem(answer.status, body);
    }
    return answer.body;
  }
}

/**
 * Reads server-sent events from `stream` until it ends or `onEvent(type, data)` answers false. Comments (keep-alives)
 * are skipped; `data` is the event's JSON, or `{text}` when it is not JSON.
 */
export async function readEvents(stream: ReadableStream<Uint8Array>,
  onEvent: (type: string, data: Record<string, unknown>) => boolean): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  let kind = 'message';
  let data: string[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        if (!line) {
          if (data.length) {
            const text = data.join('\n');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = { text };
            }
            const event = parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : { value: parsed };
            if (!onEvent(kind, event)) {
              return;
            }
          }
          kind = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') {
            kind = value;
          } else if (name === 'data') {
            data.push(value);
          }
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
