import { randomUUID } from 'node:crypto';
import { FINAL_STATES, type Task, type TaskPage, type TaskState, type TaskSubmission, type Transition,
  type WorkflowEdge, type WorkflowNode } from './models.js';
import { Backoff, readEvents, sleep, Transport } from './transport.js';

/** Filters of a task listing. */
export interface ListOptions {
  state?: TaskState;
  type?: string;
  agent?: string;
  limit?: number;
  cursor?: string;
}

/** How `wait` follows a task. */
export interface WaitOptions {
  /** Give up (throwing a `TimeoutError`) after this long; default no limit. */
  timeoutMs?: number;
  /** How often to read the task when the event stream cannot be opened (default 1,000 ms). */
  pollIntervalMs?: number;
  /** Follow the task's server-sent events (default true); false polls only. */
  events?: boolean;
}

/**
 * A client of one Arbiter with one token (a submitter's, an operator's or an admin's).
 *
 * `url` is the server's base URL (`http://localhost:8080`; `/api/v1` is added). Requests answered 503 or 429 are
 * retried with exponential backoff and jitter (`backoff`), never sooner than the answer's `Retry-After`, and so are
 * connection failures, except for batches and workflows (they carry no idempotency key, and the server may have acted
 * on them); any other error answer throws `ArbiterError`.
 */
export class Client {
  readonly transport: Transport;

  constructor(url: string, token: string, options: { timeoutMs?: number; backoff?: Backoff } = {}) {
    this.transport = new Transport(url, token, options);
  }

  /**
   * Submits one task. Every submission carries an `Idempotency-Key` (a fresh one unless given), so a retried request
   * never makes a second task: the same key and body answer the first task, another body with the key throws 409.
   */
  async submit(submission: TaskSubmission, options: { idempotencyKey?: string } = {}): Promise<Task> {
    const answer = await this.transport.request<Task>('POST', '/tasks', {
      body: submission, headers: { 'Idempotency-Key': options.idempotencyKey ?? randomUUID() },
    });
    return answer.body;
  }

  /**
   * Submits up to 1,000 tasks in one transaction; answers each task's `id` and `state`, in order. A task over a
   * tenant limit refuses the whole batch (`ArbiterError` with `field` `tasks[i]`).
   */
  async submitBatch(submissions: TaskSubmission[]): Promise<Array<Pick<Task, 'id' | 'state'>>> {
    const answer = await this.transport.request<{ tasks: Array<Pick<Task, 'id' | 'state'>> }>('POST', '/task-batches',
      { body: { tasks: submissions }, idempotent: false });
    return answer.body.tasks;
  }

  /** Submits a graph of tasks (nodes by `key`, edges by key) in one transaction; answers each key's task id. */
  async submitWorkflow(nodes: WorkflowNode[], edges: WorkflowEdge[] = []): Promise<Record<string, string>> {
    const answer = await this.transport.request<{ tasks: Record<string, string> }>('POST', '/workflows', {
      body: edges.length ? { nodes, edges } : { nodes }, idempotent: false,
    });
    return answer.body.tasks;
  }

  /** One task of the token's tenant (`ArbiterError` 404 when there is none). */
  async get(taskId: string): Promise<Task> {
    return (await this.transport.request<Task>('GET', `/tasks/${encodeURIComponent(taskId)}`)).body;
  }

  /** The task's transitions, oldest first. */
  async history(taskId: string): Promise<Transition[]> {
    return (await this.transport.request<{ items: Transition[] }>('GET',
      `/tasks/${encodeURIComponent(taskId)}/history`)).body.items;
  }

  /** One page of tasks, newest first; pass the page's `nextCursor` as `cursor` for the next one. */
  async list(options: ListOptions = {}): Promise<TaskPage> {
    const { state, type, agent, limit, cursor } = options;
    return (await this.transport.request<TaskPage>('GET', '/tasks', {
      query: { state, type, agent, limit, cursor },
    })).body;
  }

  /** Every task that matches, newest first, following the cursors page after page. */
  async *iterate(options: Omit<ListOptions, 'cursor'> = {}): AsyncGenerator<Task> {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ ...options, cursor });
      yield* page.items;
      if (!page.nextCursor) {
        return;
      }
      cursor = page.nextCursor;
    }
  }

  /** Cancels an unfinished task (`ArbiterError` 409 once it ended); a running agent learns it at its next heartbeat. */
  async cancel(taskId: string): Promise<Task> {
    return (await this.transport.request<Task>('POST', `/tasks/${encodeURIComponent(taskId)}/cancel`)).body;
  }

  /** Puts a dead task back in the queue with a fresh set of attempts (an admin's or operator's token). */
  async requeue(taskId: string): Promise<Task> {
    return (await this.transport.request<Task>('POST', `/tasks/${encodeURIComponent(taskId)}/requeue`)).body;
  }

  /**
   * Waits until the task ended (`succeeded`, `canceled` or `dead`) and answers it. It follows the task's server-sent
   * events (`/api/v1/events`, opened with a one-time stream ticket) and reads the task at each of its events; when the
   * stream cannot be opened or ends, it polls every `pollIntervalMs` instead. Throws a `TimeoutError` past `timeoutMs`.
   */
  async wait(taskId: string, options: WaitOptions = {}): Promise<Task> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const pollMs = options.pollIntervalMs ?? 1000;
    const listener = options.events === false ? undefined : await EventListener.open(this.transport, taskId);
    try {
      let task = await this.get(taskId);
      while (!FINAL_STATES.has(task.state)) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new TimeoutError(`task ${taskId} is still ${task.state} after ${options.timeoutMs} ms`);
        }
        if (listener?.alive) {
          await listener.next(remaining);
        } else {
          await sleep(Math.min(pollMs, remaining));
        }
        task = await this.get(taskId);
      }
      return task;
    } finally {
      listener?.close();
    }
  }
}

/** Thrown by `Client.wait` when the task has not ended in time. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** A task's server-sent events, read in the background so that the waiter keeps its own deadline. */
class EventListener {
  alive = true;
  private readonly abort = new AbortController();
  private readonly waiters: Array<() => void> = [];
  private pending = 0;

  private constructor() {}

  static async open(transport: Transport, taskId: string): Promise<EventListener> {
    const listener = new EventListener();
    try {
      const ticket = (await transport.request<{ ticket: string }>('POST', '/stream-tickets')).body.ticket;
      const stream = await transport.openStream('/events', { ticket, task: taskId }, listener.abort.signal);
      readEvents(stream, (kind) => listener.offer(kind))
        .catch(() => undefined)
        .finally(() => listener.end());
    } catch {
      // no ticket or no stream (an older server, a proxy that buffers): the waiter polls instead
      listener.alive = false;
    }
    return listener;
  }

  private offer(kind: string): boolean {
    if (kind === 'expired' || kind === 'dropped') {
      this.alive = false;
    }
    this.wake();
    return this.alive && !this.abort.signal.aborted;
  }

  private end(): void {
    this.alive = false;
    this.wake();
  }

  private wake(): void {
    this.pending++;
    this.waiters.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves at the next event, at the end of the stream, or after `timeoutMs`. */
  async next(timeoutMs: number): Promise<void> {
    if (this.pending > 0) {
      this.pending = 0;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(timeoutMs, 2 ** 31 - 1));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.pending = 0;
  }

  close(): void {
    this.abort.abort();
  }
}
