#!/usr/bin/env node
// Street simulator: a TCP relay in front of one node's peer port that adds Wi-Fi-like one-way delay
// and jitter to every chunk, in both directions, keeping byte order (the kernel here has no netem).
// Usage: node delay-relay.mjs <listen-port> <target-host> <target-port> <delay-ms> <jitter-ms>
import { createServer, connect } from 'node:net';

const [listenPort, host, targetPort, delayMs, jitterMs] = process.argv
  .slice(2)
  .map((v, i) => (i === 1 ? v : Number(v)));

/** Forward `from` to `to`, each chunk after delay ± jitter, never overtaking the previous chunk. */
function delayedPipe(from, to) {
  let lastDue = 0;
  from.on('data', (chunk) => {
    const due = Math.max(lastDue, Date.now() + delayMs + (Math.random() * 2 - 1) * jitterMs);
    lastDue = due;
    setTimeout(() => to.writable && to.write(chunk), Math.max(0, due - Date.now()));
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, lastDue - Date.now())));
  from.on('error', () => to.destroy());
}

createServer((client) => {
  const upstream = connect(targetPort, host);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  delayedPipe(client, upstream);
  delayedPipe(upstream, client);
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}).listen(listenPort, '0.0.0.0', () => process.stdout.write('relay ready\n'));
