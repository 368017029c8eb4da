/**
 * The API's shapes, named and spelled as in the OpenAPI contract (`src/main/resources/openapi/arbiter.yaml`). Each
 * interface tagged `@contract` declares exactly the properties of that schema: `npm run contract-fields` lists them,
 * and the Java suite (`TypeScriptClientTest`) compares them with the contract.
 */

/** The states of a task. */
export type TaskState = 'scheduled' | 'waiting' | 'queued' | 'assigned' | 'running' | 'succeeded' | 'failed'
  | 'timed_out' | 'canceled' | 'dead';

/** The states a task never leaves (an operator may still requeue a dead task). */
export const FINAL_STATES: ReadonlySet<string> = new Set(['succeeded', 'canceled', 'dead']);

/** What a task asks of its agent. @contract Requirements */
export interface Requirements {
  languages?: string[];
  specializations?: string[];
  minQuality?: number;
}

/** Checked when an attempt completes. @contract Budget */
export interface Budget {
  maxFiles?: number;
  maxLoc?: number;
}

/** Quality gates checked when an attempt reports success. @contract Gates */
export interface Gates {
  testsPassed?: boolean;
  minCoverage?: number;
  minQuality?: number;
}

/** A parent task: this one waits until it ends. @contract Dependency */
export interface Dependency {
  taskId: string;
  onFailure?: 'cancel' | 'continue';
}

/** A task to submit; only `type` is required. @contract TaskSubmission */
export interface TaskSubmission {
  type: string;
  priority?: number;
  payload?: unknown;
  timeoutMs?: number;
  maxAttempts?: number;
  requirements?: Requirements;
  budget?: Budget;
  gates?: Gates;
  callback?: { url: string };
  runAt?: string;
  delayMs?: number;
  queueTimeoutMs?: number;
  dependsOn?: Dependency[];
}

/** A parent of a task, with its state and result. @contract ParentResult */
export interface ParentResult {
  id: string;
  state?: TaskState;
  result?: unknown;
}

/** A task as `GET /api/v1/tasks/{taskId}` answers it. @contract Task */
export interface Task {
  id: string;
  tenantId?: string;
  type?: string;
  priority?: number;
  payload?: unknown;
  requirements?: Requirements;
  budget?: Budget;
  gates?: Gates;
  timeoutMs?: number;
  maxAttempts?: number;
  idempotencyKey?: string;
  state: TaskState;
  attempt?: number;
  assignedAgentId?: string;
  leaseExpiresAt?: string;
  runAfter?: string;
  progress?: { percent?: number; message?: string; [key: string]: unknown };
  result?: unknown;
  error?: unknown;
  createdAt?: string;
  updatedAt?: string;
  finishedAt?: string;
  queueTimeoutMs?: number;
  unroutable?: string;
  parents?: ParentResult[];
}

/** One page of a task listing; pass `nextCursor` back as `cursor` for the next (null: the last page). */
export interface TaskPage {
  items: Task[];
  nextCursor?: string | null;
}

/** One state move of a task, as its history lists it. @contract Transition */
export interface Transition {
  from: TaskState | null;
  to: TaskState;
  attempt: number;
  agentId: string | null;
  reason: string;
  at: string;
}

/** A node of a workflow, by key. @contract WorkflowNode */
export interface WorkflowNode {
  key: string;
  type: string;
  priority?: number;
  payload?: unknown;
  timeoutMs?: number;
  maxAttempts?: number;
  requirements?: Requirements;
  budget?: Budget;
  gates?: Gates;
  runAt?: string;
  delayMs?: number;
  queueTimeoutMs?: number;
  dependsOn?: Dependency[];
}

/** An edge of a workflow: `to` waits for `from`. */
export interface WorkflowEdge {
  from: string;
  to: string;
  onFailure?: 'cancel' | 'continue';
}

/** A task handed to an agent by a claim or pushed over the bridge. @contract Delivery */
export interface Delivery {
  taskId: string;
  attempt: number;
  type?: string;
  priority?: number;
  payload?: unknown;
  requirements?: Requirements;
  budget?: Budget;
  gates?: Gates;
  timeoutMs?: number;
  leaseExpiresAt?: string;
  ackDeadline?: string;
  state?: TaskState;
  parents?: ParentResult[];
}

/** An attempt's lease after an ack, heartbeat or progress call. @contract Lease */
export interface Lease {
  taskId: string;
  attempt: number;
  state: TaskState;
  leaseExpiresAt: string | null;
  canceled?: boolean;
}

/**
 * An attempt's outcome. The gate fields (`quality`, `filesChanged`, `linesChanged`, `testsPassed`, `coverage`) are
 * checked against the task's budget and gates when the outcome is a success. @contract Result
 */
export interface Result {
  attempt?: number;
  outcome?: 'succeeded' | 'failed';
  result?: unknown;
  error?: string;
  quality?: number;
  filesChanged?: number;
  linesChanged?: number;
  testsPassed?: boolean;
  coverage?: number;
}

/** The figures a success reports for the task's gates and budget. */
export type GateFields = Pick<Result, 'quality' | 'filesChanged' | 'linesChanged' | 'testsPassed' | 'coverage'>;

/**
 * What a handler returns to report more than a plain value: a success with its gate fields, or a failed attempt
 * without throwing. Any other value a handler returns is reported as a success's `result`.
 */
export class Outcome {
  private constructor(readonly body: Result) {}

  /** A success with its `result` and the gate fields. */
  static succeeded(result?: unknown, fields: GateFields = {}): Outcome {
    return new Outcome({ ...fields, outcome: 'succeeded', result });
  }

  /** A failed attempt with its error text (Arbiter retries the task while attempts remain). */
  static failed(error: string, fields: GateFields = {}): Outcome {
    return new Outcome({ ...fields, outcome: 'failed', error });
  }
}
