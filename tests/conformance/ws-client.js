'use strict';
// Talks to our server with the reference graphql-ws client (graphql-transport-ws subprotocol) and prints what
// it received as JSON: a subscription's events, a query over the socket, and a validation error.
// Usage: node --experimental-websocket ws-client.js ws://127.0.0.1:PORT/graphql
const { createClient } = require('graphql-ws');

function run(client, payload) {
  return new Promise((resolve) => {
    const events = [];
    client.subscribe(payload, {
      next: (value) => events.push({ next: value }),
      error: (error) => resolve([...events, { error: Array.isArray(error) ? error.map((e) => e.message) : `${error && error.code} ${error && (error.reason || error.message)}` }]),
      complete: () => resolve([...events, { complete: true }]),
    });
  });
}

async function main() {
  const client = createClient({ url: process.argv[2], webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  const output = {
    subscription: await run(client, { query: 'subscription { count(to: 3) }' }),
    query: await run(client, { query: 'query Q($n: String) { hello(name: $n) }', variables: { n: 'ws' } }),
    invalid: await run(client, { query: '{ nope }' }),
  };
  await client.dispose();
  process.stdout.write(JSON.stringify(output));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
