/**
 * An error answer (`application/problem+json`): its HTTP `status`, Arbiter's fixed `code` (such as 4000, 4090,
 * 4220), the offending `field` of a validation error (such as `priority` or `tasks[3].type`) and the `detail`.
 */
export class ArbiterError extends Error {
  readonly status: number;
  readonly code?: number;
  readonly field?: string;
  readonly detail: string;
  readonly title?: string;
  readonly type?: string;
  readonly correlationId?: string;
  /** The answer's `Retry-After`, in seconds, when it had one. */
  readonly retryAfter?: number;

  constructor(status: number, detail: string, extra: {
    code?: number; field?: string; title?: string; type?: string; correlationId?: string; retryAfter?: number;
  } = {}) {
    super(`${status}${extra.code ? ` ${extra.code}` : ''} ${detail}${extra.field ? ` (field ${extra.field})` : ''}`);
    this.name = 'ArbiterError';
    this.status = status;
    this.detail = detail;
    Object.assign(this, extra);
  }

  /** The error of an answer's status and body (a problem, or anything else the server or a proxy sent). */
  static fromProblem(status: number, body: unknown, retryAfter?: number): ArbiterError {
    if (body && typeof body === 'object') {
      const p = body as Record<string, unknown>;
      return new ArbiterError(typeof p.status === 'number' ? p.status : status, String(p.detail ?? p.title ?? ''), {
        code: typeof p.code === 'number' ? p.code : undefined,
        field: typeof p.field === 'string' ? p.field : undefined,
        title: typeof p.title === 'string' ? p.title : undefined,
        type: typeof p.type === 'string' ? p.type : undefined,
        correlationId: typeof p.correlationId === 'string' ? p.correlationId : undefined,
        retryAfter,
      });
    }
    return new ArbiterError(status, body === undefined || body === null ? '' : String(body), { retryAfter });
  }
}

/**
 * Thrown in a handler (by `AgentTask.check` or `AgentTask.progress`) once its task was canceled or its lease lost:
 * the attempt's result would be refused, so the handler should stop.
 */
export class TaskCanceled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskCanceled';
  }
}
