import { TaskCanceled } from './errors.js';
import { Outcome, type Delivery, type Lease, type ParentResult, type Result } from './models.js';

/** The longest error text a failed attempt reports; a longer one is cut. */
export const MAX_ERROR_CHARS = 10_000;

/** A lease call of a running attempt: progress or heartbeat, with its body; answers the lease. */
export type LeaseCall = (kind: 'progress' | 'heartbeat', body: Record<string, unknown>) => Promise<Lease | undefined>;

/**
 * What a handler gets: the delivery (`taskId`, `attempt`, `type`, `payload`, `parents`, …), a way to report progress,
 * and the cancellation. `canceled` turns true (and `signal` aborts) when Arbiter answers a heartbeat with
 * `canceled: true`, when the lease is lost (another agent holds the task, or the attempt is stale), or when the agent
 * stops and its grace period is over: the result would be refused, so a handler checks it (or calls `check()`, which
 * throws `TaskCanceled`) between steps, or passes `signal` to what it awaits.
 */
export class AgentTask {
  readonly delivery: Delivery;
  /** Why the task was canceled, once it was. */
  reason?: string;
  private readonly controller = new AbortController();
  private readonly lease: LeaseCall;

  constructor(delivery: Delivery, lease: LeaseCall) {
    this.delivery = delivery;
    this.lease = lease;
  }

  get taskId(): string {
    return this.delivery.taskId;
  }

  get attempt(): number {
    return this.delivery.attempt;
  }

  get type(): string | undefined {
    return this.delivery.type;
  }

  get payload(): any {
    return this.delivery.payload;
  }

  get parents(): ParentResult[] {
    return this.delivery.parents ?? [];
  }

  get canceled(): boolean {
    return this.controller.signal.aborted;
  }

  /** Aborts when the task is canceled or its lease lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Resolves true once the task is canceled, or false after `timeoutMs`. */
  waitCanceled(timeoutMs: number): Promise<boolean> {
    if (this.canceled) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve(false);
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Throws `TaskCanceled` once the task was canceled or its lease lost. */
  check(): void {
    if (this.canceled) {
      throw new TaskCanceled(this.reason ?? `task ${this.taskId} was canceled`);
    }
  }

  /** Records progress (it also extends the lease); throws `TaskCanceled` when the task was canceled. */
  async progress(percent?: number, message?: string): Promise<void> {
    this.check();
    const body: Record<string, unknown> = { attempt: this.attempt };
    if (percent !== undefined) {
      body.percent = percent;
    }
    if (message !== undefined) {
      body.message = message;
    }
    this.noteLease(await this.lease('progress', body));
    this.check();
  }

  /** Extends the lease now (the runners do it on their own while the handler runs). */
  async heartbeat(): Promise<void> {
    this.noteLease(await this.lease('heartbeat', { attempt: this.attempt }));
  }

  /** Marks the task canceled, with why; the first reason stays. */
  cancel(reason: string): void {
    if (!this.canceled) {
      this.reason = reason;
      this.controller.abort(new TaskCanceled(reason));
    }
  }

  private noteLease(lease: Lease | undefined): void {
    if (lease?.canceled) {
      this.cancel(`task ${this.taskId} was canceled`);
    }
  }
}

/** A handler: the work of one task. It returns an `Outcome`, or any value as a success's `result`. */
export type Handler = (task: AgentTask) => unknown | Promise<unknown>;

/** A named moment in an agent's life, with its details, for logs (`REGISTERED`, `ACKED <taskId> <attempt>`, …). */
export type AgentEventListener = (event: string, ...details: Array<string | number>) => void;

/** Runs the handler and shapes what it gave as the body of a result call (the attempt filled in). */
export async function outcomeOf(handler: Handler, task: AgentTask): Promise<Result> {
  let value: unknown;
  try {
    value = await handler(task);
  } catch (error) {
    return { attempt: task.attempt, outcome: 'failed', error: errorText(error) };
  }
  const body: Result = value instanceof Outcome ? { ...value.body }
    : { outcome: 'succeeded', result: value };
  if (body.error !== undefined && body.error.length > MAX_ERROR_CHARS) {
    body.error = `${body.error.slice(0, MAX_ERROR_CHARS - 1)}…`;
  }
  return { ...body, attempt: task.attempt };
}

/** An error as its type and text (`Error: flaky dependency`), cut to `MAX_ERROR_CHARS`. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? (error.message ? `${error.name}: ${error.message}` : error.name)
    : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

/** A third of the time left on a lease, between 200 ms and 30 s (10 s when it cannot be read). */
export function thirdOfLease(leaseExpiresAt: string | null | undefined, now: number = Date.now()): number {
  const expires = leaseExpiresAt ? Date.parse(leaseExpiresAt) : NaN;
  if (Number.isNaN(expires)) {
    return 10_000;
  }
  return Math.min(30_000, Math.max(200, (expires - now) / 3));
}
