export { Agent, type AgentOptions } from './agent.js';
export { BridgeAgent, BridgeError, type BridgeAgentOptions } from './bridge.js';
export { Client, TimeoutError, type ListOptions, type WaitOptions } from './client.js';
export { ArbiterError, TaskCanceled } from './errors.js';
export * from './models.js';
export { AgentTask, type AgentEventListener, type Handler } from './task.js';
export { Backoff, retryAfterSeconds, Transport } from './transport.js';
