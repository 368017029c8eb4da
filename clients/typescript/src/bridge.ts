import EventBus from '@vertx/eventbus-bridge-client.js';
import { ArbiterError } from './errors.js';
import type { Delivery, Lease, Result } from './models.js';
import { registration, type AgentOptions } from './agent.js';
import { AgentTask, type Handler, outcomeOf, thirdOfLease } from './task.js';
import { Backoff, sleep, Transport } from './transport.js';

/** How a bridge agent connects, beyond what every agent sets. */
export interface BridgeAgentOptions extends Omit<AgentOptions, 'claimWaitSeconds'> {
  /** How long it waits before connecting again after a dropped connection (default 1,000 ms). */
  reconnectMs?: number;
  /** How long a report waits for a connection and its reply, over reconnections, before it fails (default 30 s). */
  reportTimeoutMs?: number;
}

/** A refusal over the bridge: the bus failure's `failureCode` (4000, 4010, 4030, 4040, 4090, …) and message. */
export class BridgeError extends Error {
  constructor(readonly code: number | 'DISCONNECTED', message: string) {
    super(message);
    this.name = 'BridgeError';
  }

  /**
   * Whether the report never reached Arbiter's answer: its connection closed first, or the node's bus failed it (a
   * negative code: no handler, as while the node shuts down, or a timeout). Reports are idempotent, so such a one is
   * sent again.
   */
  get transient(): boolean {
    return this.code === 'DISCONNECTED' || this.code < 0;
  }
}

interface Pending {
  socket: EventBus;
  reject: (error: BridgeError) => void;
}

/**
 * Runs `handler` for each task Arbiter pushes to agent `agentId` over the event-bus bridge (SockJS at
 * `<url>/eventbus`): the agent registers over REST (409: it already is), connects, registers on
 * `arbiter.agent.<id>.tasks`, and for each delivery acknowledges it (`.ack`), extends its lease while the handler runs
 * (`.heartbeat`), and reports the outcome (`.result`); its own heartbeat (`.heartbeat` with `{}`) keeps it alive.
 *
 * `urls` names one node or several (an array, or comma-separated): when the connection drops, the agent connects
 * again after `reconnectMs`, to the next node, and registers on its tasks again. A report made between two
 * connections waits for the next one, and a report whose connection closed before its reply is sent again there
 * (every report is idempotent), for up to `reportTimeoutMs`. Cancellation, outcomes, signals and stopping are as for
 * the REST `Agent`.
 */
export class BridgeAgent {
  readonly agentId: string;
  readonly urls: string[];
  private readonly token: string;
  private readonly handler: Handler;
  private readonly options: BridgeAgentOptions;
  private readonly headers: Record<string, string>;
  private readonly pending = new Set<Pending>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly tasks = new Map<string, AgentTask>();
  private node = 0;
  private eb?: EventBus;
  private stopping = false;
  private alive?: NodeJS.Timeout;
  private stopped?: Promise<void>;
  private finish?: () => void;

  constructor(urls: string | string[], token: string, agentId: string, handler: Handler, options: BridgeAgentOptions) {
    this.urls = (Array.isArray(urls) ? urls : urls.split(',')).map((u) => u.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    if (!this.urls.length) {
      throw new RangeError('name at least one URL');
    }
    this.token = token;
    this.agentId = agentId;
    this.handler = handler;
    this.options = options;
    this.headers = { authorization: `Bearer ${token}` };
  }

  /** The node it talks to now. */
  get url(): string {
    return this.urls[this.node];
  }

  get connected(): boolean {
    return this.eb?.state === EventBus.OPEN;
  }

  private event(name: string, ...details: Array<string | number>): void {
    this.options.onEvent?.(name, ...details);
  }

  private address(channel: string): string {
    return `arbiter.agent.${this.agentId}.${channel}`;
  }

  /**
   * Registers over REST (each node in turn until one answers) and connects; resolves once the agent is connected and
   * runs until `stop()` or SIGTERM/SIGINT, when `run()` resolves.
   */
  async run(): Promise<void> {
    if (this.stopped) {
      return this.stopped;
    }
    this.stopped = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
    const signals = this.options.handleSignals === false ? [] : (['SIGTERM', 'SIGINT'] as const);
    const onSignal = () => void this.stop();
    signals.forEach((s) => process.on(s, onSignal));
    void this.stopped.finally(() => signals.forEach((s) => process.off(s, onSignal)));
    await this.register();
    this.connect();
    this.alive = setInterval(() => {
      if (this.connected) {
        this.request<unknown>('heartbeat', {}).catch((e) => this.event('HEARTBEAT-REFUSED', this.agentId, e.code,
          e.message));
      }
    }, this.options.aliveIntervalMs ?? 10_000);
    return this.stopped;
  }

  private async register(): Promise<void> {
    for (let tried = 0; ; tried++) {
      const transport = new Transport(this.url, this.token, { timeoutMs: this.options.timeoutMs,
        backoff: this.options.backoff ?? new Backoff() });
      try {
        await transport.request('POST', '/agents', { body: registration(this.agentId, this.options) });
        this.event('REGISTERED', this.agentId);
        return;
      } catch (error) {
        if (error instanceof ArbiterError && error.status === 409) {
          this.event('ALREADY-REGISTERED', this.agentId);
          return;
        }
        if (error instanceof ArbiterError || tried + 1 >= this.urls.length) {
          throw error;
        }
        this.node = (this.node + 1) % this.urls.length;
      }
    }
  }

  private connect(): void {
    const socket = new EventBus(`${this.url}/eventbus`);
    this.eb = socket;
    socket.onopen = () => {
      // the bridge ties handlers to the socket: every connection registers again
      socket.registerHandler(this.address('tasks'), this.headers, (error, message) => {
        if (error) {
          this.event('REFUSED', this.address('tasks'), error.failureCode, error.message);
          void this.stop();
          return;
        }
        this.receive(message.body as Delivery);
      });
      this.event('CONNECTED', this.agentId, `${this.url}/eventbus`);
    };
    socket.onclose = () => {
      this.event('DISCONNECTED', this.agentId, this.url);
      for (const waiting of this.pending) {
        if (waiting.socket === socket) {
          this.pending.delete(waiting);
          waiting.reject(new BridgeError('DISCONNECTED', 'the connection closed before the reply'));
        }
      }
      if (this.eb === socket && !this.stopping) {
        this.node = (this.node + 1) % this.urls.length;
        setTimeout(() => {
          if (!this.stopping) {
            this.connect();
          }
        }, this.options.reconnectMs ?? 1000);
      }
    };
    socket.onerror = (error) => this.event('BRIDGE-ERROR', JSON.stringify(error));
  }

  /**
   * A request-reply send on one of the agent's report channels; a refusal rejects with a `BridgeError` carrying its
   * code. Between connections it waits for the next one, and a send that failed transiently (its connection closed
   * before the reply, or the node's bus failed it) goes again, on the next connection if need be, until
   * `reportTimeoutMs`.
   */
  async request<T>(channel: string, body: Record<string, unknown>): Promise<T> {
    const deadline = Date.now() + (this.options.reportTimeoutMs ?? 30_000);
    for (;;) {
      while (!this.connected) {
        if (Date.now() > deadline) {
          throw new BridgeError('DISCONNECTED', `not connected to any of ${this.urls.join(', ')}`);
        }
        await sleep(100);
      }
      try {
        return await this.send<T>(this.eb!, channel, body);
      } catch (error) {
        if (!(error instanceof BridgeError) || !error.transient || Date.now() > deadline) {
          throw error;
        }
        if (error.code !== 'DISCONNECTED') {
          await sleep(200);
        }
      }
    }
  }

  private send<T>(socket: EventBus, channel: string, body: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      const waiting: Pending = { socket, reject };
      this.pending.add(waiting);
      socket.send(this.address(channel), body, this.headers, (error, reply) => {
        this.pending.delete(waiting);
        if (error) {
          reject(new BridgeError(error.failureCode, error.message));
        } else {
          resolve(reply.body as T);
        }
      });
    });
  }

  private receive(delivery: Delivery): void {
    const key = `${delivery.taskId}/${delivery.attempt}`;
    if (this.stopping || this.running.has(key)) {
      return;
    }
    this.event('RECEIVED', delivery.taskId, delivery.attempt, delivery.type ?? '');
    this.running.set(key, this.work(delivery, key).finally(() => {
      this.running.delete(key);
      this.tasks.delete(key);
    }));
  }

  private async work(delivery: Delivery, key: string): Promise<void> {
    const { taskId, attempt } = delivery;
    let lease: Lease;
    try {
      lease = await this.request<Lease>('ack', { taskId, attempt });
    } catch (error) {
      this.event('FAILED', taskId, attempt, (error as BridgeError).code ?? '', (error as Error).message);
      return;
    }
    this.event('ACKED', taskId, attempt);
    const task: AgentTask = new AgentTask({ ...delivery, leaseExpiresAt: lease.leaseExpiresAt ?? undefined },
      (kind, body) => this.lease(task, kind, body));
    this.tasks.set(key, task);
    const every = this.options.heartbeatIntervalMs ?? thirdOfLease(lease.leaseExpiresAt);
    const beat = setInterval(() => void task.heartbeat(), every);
    let result: Result;
    try {
      result = await outcomeOf(this.handler, task);
    } finally {
      clearInterval(beat);
    }
    if (task.canceled) {
      this.event('CANCELED', taskId, attempt, task.reason ?? '');
      return;
    }
    await this.report(task, result);
  }

  private async report(task: AgentTask, result: Result): Promise<void> {
    try {
      const answer = await this.request<Record<string, any>>('result', { ...result, taskId: task.taskId });
      this.event('DONE', task.taskId, task.attempt, answer.state ?? '', answer.outcome ?? '');
    } catch (error) {
      this.event('FAILED', task.taskId, task.attempt, (error as BridgeError).code ?? '', (error as Error).message);
    }
  }

  private async lease(task: AgentTask, kind: string, body: Record<string, unknown>): Promise<Lease | undefined> {
    try {
      return await this.request<Lease>(kind, { ...body, taskId: task.taskId });
    } catch (error) {
      const code = error instanceof BridgeError ? error.code : undefined;
      if (code === 4040 || code === 4090) {
        task.cancel(`lease of task ${task.taskId} lost: ${(error as Error).message}`);
      } else {
        this.event('HEARTBEAT-REFUSED', task.taskId, code ?? '', (error as Error).message);
      }
      return undefined;
    }
  }

  /**
   * Stops taking tasks, lets the running handlers finish and report for up to `stopGraceMs`, reports those still
   * running as failed (which releases them to be retried), then closes the connection; resolves when done.
   */
  async stop(): Promise<void> {
    if (this.stopping) {
      return this.stopped;
    }
    this.stopping = true;
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
    clearInterval(this.alive);
    this.eb?.close();
    this.event('STOPPED', this.agentId, `${left.length} released`);
    this.finish?.();
    return this.stopped;
  }
}
