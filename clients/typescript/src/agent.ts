import { ArbiterError } from './errors.js';
import type { Delivery, Lease, Result } from './models.js';
import { AgentTask, type AgentEventListener, type Handler, outcomeOf, thirdOfLease } from './task.js';
import { Backoff, sleep, Transport } from './transport.js';

/** How an agent registers and runs. */
export interface AgentOptions {
  /** The task types it takes. */
  taskTypes: string[];
  modelFamily?: string;
  name?: string;
  languages?: string[];
  specializations?: string[];
  /** Tasks run at once (default 1); also the `maxConcurrentTasks` it registers with. */
  concurrency?: number;
  /** Seconds a claim waits for work (long poll; 0 to 60, default 20). */
  claimWaitSeconds?: number;
  /** How often a running task's lease is extended; default a third of the lease. */
  heartbeatIntervalMs?: number;
  /** How often the agent's own heartbeat keeps it alive (default 10 s). */
  aliveIntervalMs?: number;
  /** How long `stop()` lets running handlers finish before it reports them failed (default 30 s). */
  stopGraceMs?: number;
  /** Stop on SIGTERM and SIGINT while `run()` runs (default true). */
  handleSignals?: boolean;
  backoff?: Backoff;
  timeoutMs?: number;
  /** Told each named moment (`REGISTERED`, `RECEIVED`, `DONE`, …), for logs. */
  onEvent?: AgentEventListener;
}

/** The body of `POST /api/v1/agents` for an agent's options. */
export function registration(agentId: string, options: AgentOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: agentId, modelFamily: options.modelFamily ?? 'custom', maxConcurrentTasks: options.concurrency ?? 1,
    capabilities: { taskTypes: options.taskTypes, languages: options.languages ?? [],
      specializations: options.specializations ?? [] },
  };
  if (options.name) {
    body.name = options.name;
  }
  return body;
}

/**
 * Runs `handler` for each task Arbiter routes to agent `agentId`, over REST.
 *
 * `run()` registers the agent (an id already registered, 409, is used as it is), then long-polls claims for up to
 * `concurrency` tasks at a time, each delivery already acknowledged (`ack=true`), and runs the handler for each. While
 * a handler runs, its lease is extended by heartbeats; the agent's own heartbeat keeps it alive between tasks. The
 * handler returns an `Outcome` (any other value is reported as a success's `result`); a handler that throws reports a
 * failed attempt with the error's text, and Arbiter retries the task while attempts remain. A task canceled while it
 * runs (or whose lease is lost) is surfaced to the handler (`task.canceled`, `task.signal`) and not reported.
 *
 * `run()` resolves after `stop()` (or SIGTERM/SIGINT): claiming stops, the running handlers get `stopGraceMs` to
 * finish and report, and those still running are reported failed, which releases them to be retried. Answers 503 and
 * 429 and connection failures are retried with backoff and jitter, never sooner than `Retry-After`.
 */
export class Agent {
  readonly agentId: string;
  readonly transport: Transport;
  private readonly reports: Transport;
  private readonly handler: Handler;
  private readonly options: AgentOptions;
  private readonly concurrency: number;
  private readonly claimWait: number;
  private readonly stopping = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  private readonly tasks = new Map<string, AgentTask>();
  private slotFreed?: () => void;
  private runs?: Promise<void>;

  constructor(url: string, token: string, agentId: string, handler: Handler, options: AgentOptions) {
    if ((options.concurrency ?? 1) < 1) {
      throw new RangeError('concurrency must be at least 1');
    }
    this.agentId = agentId;
    this.handler = handler;
    this.options = options;
    this.concurrency = options.concurrency ?? 1;
    this.claimWait = Math.max(0, Math.min(60, Math.trunc(options.claimWaitSeconds ?? 20)));
    this.transport = new Transport(url, token, { timeoutMs: options.timeoutMs,
      backoff: options.backoff ?? new Backoff({ maxRetries: Infinity }) });
    this.reports = new Transport(url, token, { timeoutMs: options.timeoutMs, backoff: new Backoff({ maxRetries: 8 }) });
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private event(name: string, ...details: Array<string | number>): void {
    this.options.onEvent?.(name, ...details);
  }

  private path(rest = ''): string {
    return `/agents/${encodeURIComponent(this.agentId)}${rest}`;
  }

  /** Registers the agent; a 409 (the id is taken, by this agent's earlier run) is carried on from. */
  async register(): Promise<void> {
    try {
      await this.transport.request('POST', '/agents', { body: registration(this.agentId, this.options),
        backoff: new Backoff() });
      this.event('REGISTERED', this.agentId);
    } catch (error) {
      if (!(error instanceof ArbiterError) || error.status !== 409) {
        throw error;
      }
      this.event('ALREADY-REGISTERED', this.agentId);
    }
  }

  /** Registers, then claims and runs tasks until stopped; see the class's description. */
  run(): Promise<void> {
    this.runs ??= this.loop();
    return this.runs;
  }

  /**
   * Stops claiming and drains the running tasks (see `stopGraceMs`); resolves when the agent has stopped, rejecting
   * with what ended it when that was not the stop.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.slotFreed?.();
    this.transport.stopRetrying();
    await this.runs;
  }

  private async loop(): Promise<void> {
    const signals = this.options.handleSignals === false ? [] : (['SIGTERM', 'SIGINT'] as const);
    const onSignal = () => void this.stop();
    signals.forEach((s) => process.on(s, onSignal));
    const alive = setInterval(() => void this.alive(), this.options.aliveIntervalMs ?? 10_000);
    try {
      await this.register();
      await this.alive();
      await this.claims();
      await this.drain();
    } finally {
      clearInterval(alive);
      signals.forEach((s) => process.off(s, onSignal));
    }
  }

  /** The agent's own heartbeat: it keeps the agent alive, and brings back one that went offline by silence. */
  private async alive(): Promise<void> {
    try {
      await this.reports.request('POST', this.path('/heartbeat'), { backoff: new Backoff({ maxRetries: 2 }) });
    } catch (error) {
      this.event('HEARTBEAT-REFUSED', this.agentId, String(error));
    }
  }

  private async claims(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      while (this.running.size >= this.concurrency && !this.stopped) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
      }
      if (this.stopped) {
        return;
      }
      let deliveries: Delivery[];
      try {
        deliveries = await this.claim(this.claimWait, this.concurrency - this.running.size, true);
        failures = 0;
      } catch (error) {
        if (error instanceof ArbiterError && (error.status === 401 || error.status === 403)) {
          throw error;
        }
        failures++;
        this.event('CLAIM-FAILED', String(error));
        await sleep(this.transport.backoff.delayMs(failures, error instanceof ArbiterError ? error.retryAfter
          : undefined), this.stopping.signal);
        continue;
      }
      deliveries.forEach((delivery) => this.begin(delivery));
    }
  }

  /**
   * Takes up to `max` of the tasks assigned to this agent, waiting up to `wait` seconds for one; with `ack` each comes
   * back already acknowledged (running under its lease). The call beneath the runner, for an agent of its own loop.
   */
  async claim(wait = 0, max = 1, ack = false): Promise<Delivery[]> {
    const answer = await this.transport.request<{ tasks: Delivery[] } | undefined>('POST', this.path('/claim'), {
      query: { wait, max, ack }, timeoutMs: wait * 1000 + this.transport.timeoutMs,
    });
    return answer.status === 200 ? answer.body?.tasks ?? [] : [];
  }

  /** Acknowledges up to 1,000 deliveries in one transaction; answers each item as its own ack would. */
  async ackBatch(deliveries: Delivery[]): Promise<Array<Record<string, any>>> {
    return (await this.reports.request('POST', this.path('/ack-batches'), {
      body: { tasks: deliveries.map((d) => ({ taskId: d.taskId, attempt: d.attempt })) },
    })).body.items;
  }

  /** Reports up to 1,000 outcomes in one statement; answers each item as its own result call would. */
  async reportBatch(results: Array<[Delivery, Result]>): Promise<Array<Record<string, any>>> {
    return (await this.reports.request('POST', this.path('/result-batches'), {
      body: { results: results.map(([d, r]) => ({ ...r, taskId: d.taskId, attempt: d.attempt })) },
    })).body.items;
  }

  private begin(delivery: Delivery): void {
    const task: AgentTask = new AgentTask(delivery, (kind, body) => this.lease(task, kind, body));
    this.event('RECEIVED', delivery.taskId, delivery.attempt, delivery.type ?? '');
    this.tasks.set(delivery.taskId, task);
    this.running.set(delivery.taskId, this.work(task).finally(() => {
      this.running.delete(delivery.taskId);
      this.tasks.delete(delivery.taskId);
      this.slotFreed?.();
    }));
  }

  private async work(task: AgentTask): Promise<void> {
    const every = this.options.heartbeatIntervalMs ?? thirdOfLease(task.delivery.leaseExpiresAt);
    const beat = setInterval(() => void task.heartbeat(), every);
    let result: Result;
    try {
      result = await outcomeOf(this.handler, task);
    } finally {
      clearInterval(beat);
    }
    if (task.canceled) {
      this.event('CANCELED', task.taskId, task.attempt, task.reason ?? '');
      return;
    }
    await this.report(task, result);
  }

  private async report(task: AgentTask, result: Result): Promise<void> {
    try {
      const answer = (await this.reports.request('POST', this.path(`/tasks/${task.taskId}/result`),
        { body: result })).body ?? {};
      this.event('DONE', task.taskId, task.attempt, answer.state ?? '', answer.outcome ?? '');
    } catch (error) {
      this.event('RESULT-REFUSED', task.taskId, task.attempt, String(error));
    }
  }

  private async lease(task: AgentTask, kind: string, body: Record<string, unknown>): Promise<Lease | undefined> {
    try {
      return (await this.reports.request<Lease>('POST', this.path(`/tasks/${task.taskId}/${kind}`),
        { body, backoff: new Backoff({ maxRetries: 3 }) })).body;
    } catch (error) {
      if (error instanceof ArbiterError && (error.status === 404 || error.status === 409)) {
        task.cancel(`lease of task ${task.taskId} lost: ${error.detail}`);
      } else {
        this.event('HEARTBEAT-REFUSED', task.taskId, String(error));
      }
      return undefined;
    }
  }

  private async drain(): Promise<void> {
    const grace = this.options.stopGraceMs ?? 30_000;
    if (this.running.size) {
      await Promise.race([Promise.allSettled(this.running.values()), sleep(grace)]);
    }
    const left = [...this.tasks.values()];
    for (const task of left) {
      task.cancel(`agent ${this.agentId} stopped before task ${task.taskId} finished`);
      await this.report(task, { attempt: task.attempt, outcome: 'failed',
        error: `agent ${this.agentId} stopped before the task finished` });
    }
    this.event('STOPPED', this.agentId, `${left.length} released`);
  }
}
