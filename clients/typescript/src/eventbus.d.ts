/** The parts of the Vert.x event-bus bridge client (`@vertx/eventbus-bridge-client.js`) that the SDK uses. */
declare module '@vertx/eventbus-bridge-client.js' {
  interface BridgeFailure {
    failureCode: number;
    failureType?: string;
    message: string;
  }

  interface BridgeMessage {
    address: string;
    body: any;
    headers?: Record<string, string>;
  }

  type Callback = (error: BridgeFailure | null, message: BridgeMessage) => void;

  class EventBus {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    constructor(url: string, options?: Record<string, unknown>);
    state: number;
    onopen: (() => void) | null;
    onclose: ((event?: unknown) => void) | null;
    onerror: (error: unknown) => void;
    send(address: string, message: unknown, headers: Record<string, string>, callback: Callback): void;
    registerHandler(address: string, headers: Record<string, string>, callback: Callback): void;
    unregisterHandler(address: string, headers: Record<string, string>, callback: Callback): void;
    close(): void;
  }

  export = EventBus;
}
