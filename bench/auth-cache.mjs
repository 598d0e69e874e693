// Load generator of bench/auth-cache.sh: keeps `clients` requests in flight against each target's URL (keep-alive
// connections), target after target in alternating rounds, and prints requests/s per round, the medians and the load
// average around each round. Only 2xx answers count; any other answer is reported and fails the run.
// Usage: node bench/auth-cache.mjs <seconds> <clients> <rounds> <name>=<url>[@<token>] ...
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [seconds, clients, rounds] = process.argv.slice(2, 5).map(Number);
const targets = process.argv.slice(5).map((arg) => {
  const [name, rest] = arg.split(/=(.*)/s);
  const [url, token] = rest.split('@');
  return { name, url: new URL(url), token, results: [] };
});

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

async function run(target, ms) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const headers = target.token ? { Authorization: `Bearer ${target.token}` } : {};
  let ok = 0;
  let failed = 0;
  let lastFailure = '';
  const end = Date.now() + ms;
  const one = () => new Promise((resolve) => {
    const request = http.get(target.url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode >= 200 && response.statusCode < 300) {
          ok += 1;
        } else {
          failed += 1;
          lastFailure = `HTTP ${response.statusCode}`;
        }
        resolve();
      });
    });
    request.on('error', (e) => {
      failed += 1;
      lastFailure = e.message;
      resolve();
    });
  });
  const client = async () => {
    while (Date.now() < end) {
      await one();
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, client));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { rate: ok / elapsed, failed, lastFailure };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

for (const target of targets) {
  await run(target, 2000); // warm-up: JIT, connections, caches
}
let failures = 0;
for (let round = 1; round <= rounds; round += 1) {
  // Alternate the order each round so that neither target always runs first.
  const order = round % 2 === 1 ? targets : [...targets].reverse();
  for (const target of order) {
    const before = load();
    const { rate, failed, lastFailure } = await run(target, seconds * 1000);
    target.results.push(rate);
    failures += failed;
    console.log(`round ${round} ${target.name}: ${Math.round(rate)} requests/s (load average ${before} → ${load()})${failed ? `, ${failed} failed (${lastFailure})` : ''}`);
  }
}
console.log('\n| requests/s | ' + Array.from({ length: rounds }, (_, i) => `round ${i + 1}`).join(' | ') + ' | median |');
console.log('| --- | ' + Array.from({ length: rounds }, () => '---:').join(' | ') + ' | ---: |');
for (const target of targets) {
  const cells = target.results.map((r) => Math.round(r).toLocaleString('en-US'));
  console.log(`| ${target.name} | ${cells.join(' | ')} | **${Math.round(median(target.results)).toLocaleString('en-US')}** |`);
}
process.exit(failures > 0 ? 1 : 0);
