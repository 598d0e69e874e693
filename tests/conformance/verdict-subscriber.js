'use strict';
// Subscribes to verdictChanged with the reference graphql-ws client and prints each event as one JSON line as soon as
// it arrives (so the caller can act on the first one), then exits 0 after a ROLLBACK, 1 on an error or after 60 s.
// Usage: node --experimental-websocket verdict-subscriber.js ws://127.0.0.1:PORT/graphql DEPLOYMENT_ID
const { createClient } = require('graphql-ws');

const [url, deploymentId] = process.argv.slice(2);
const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
const timer = setTimeout(() => fail('no ROLLBACK within 60 s'), 60000);

let done = false;

function fail(message) {
  if (done) return;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

client.subscribe(
  {
    query: 'subscription($id: ID!) { verdictChanged(deploymentId: $id) { decision reason metrics { metric classification } } }',
    variables: { id: deploymentId },
  },
  {
    next: (value) => {
      process.stdout.write(`${JSON.stringify(value)}\n`);
      const verdict = value.data && value.data.verdictChanged;
      if (verdict && verdict.decision === 'ROLLBACK') {
        done = true;
        clearTimeout(timer);
        client.dispose().then(() => process.exit(0));
      }
    },
    error: (error) => fail(`error: ${JSON.stringify(Array.isArray(error) ? error.map((e) => e.message) : String(error && (error.reason || error.message || error)))}`),
    complete: () => fail('completed before a ROLLBACK'),
  },
);
