// GraphQL over HTTP (POST /graphql) and subscriptions over WebSocket (protocol graphql-transport-ws), with the API token
// of auth.js when one is kept.
import { askForToken, authFetch, connectionPayload } from './auth.js';

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

/** Runs a query or mutation; resolves to `data`, rejects with the GraphQL errors or the HTTP failure. */
export async function query(text, variables = {}, signal = undefined) {
  const response = await authFetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: text, variables }),
    signal,
  });
  const body = await response.json().catch(() => null);
  if (body && Array.isArray(body.errors) && body.errors.length > 0) {
    throw new GraphQLError(body.errors);
  }
  if (!response.ok || !body) {
    throw new Error(`The server answered HTTP ${response.status}.`);
  }
  return body.data;
}

/** The WebSocket URL of the GraphQL endpoint on this origin. */
export function socketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/graphql`;
}

/**
 * Subscribes over graphql-transport-ws and reconnects with backoff when the connection drops.
 * handlers: { next(data), error(errors), status('connecting' | 'live' | 'closed') }.
 * Returns a function that ends the subscription.
 */
export function subscribe(text, variables, handlers) {
  let socket = null;
  let stopped = false;
  let attempt = 0;
  let timer = null;
  const id = '1';

  const open = () => {
    handlers.status?.('connecting');
    socket = new WebSocket(socketUrl(), 'graphql-transport-ws');
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionPayload() })));
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      switch (message.type) {
        case 'connection_ack':
          attempt = 0;
          handlers.status?.('live');
          socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: text, variables } }));
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next':
          if (message.payload.errors) {
            handlers.error?.(message.payload.errors);
          } else {
            handlers.next(message.payload.data);
          }
          break;
        case 'error':
          handlers.error?.(message.payload);
          break;
        default:
          break;
      }
    });
    socket.addEventListener('close', (event) => {
      if (stopped) {
        return;
      }
      if (event.code === 4403) {
        // connection_init refused: no token or a bad one. Retrying cannot help until a token is entered (which reloads).
        handlers.status?.('closed');
        askForToken();
        return;
      }
      handlers.status?.('closed');
      attempt += 1;
      timer = setTimeout(open, Math.min(30000, 500 * 2 ** attempt));
    });
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ id, type: 'complete' }));
      socket.close(1000, 'done');
    } else if (socket && socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener('open', () => socket.close(1000, 'done'));
    }
  };
}
