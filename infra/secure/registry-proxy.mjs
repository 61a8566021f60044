#!/usr/bin/env node
// TLS + HTTP basic auth in front of the local Apicurio Registry, for the secured profile of infra/stack.sh
// (docs/decisions/015-secured-stack.md says why a proxy). Node's standard library only.
//
// Environment (set by stack.sh; the password never on the command line):
//   PROXY_LISTEN      host:port to serve HTTPS on, e.g. 127.0.0.1:18081
//   PROXY_TARGET      the registry's plain HTTP base, e.g. http://127.0.0.1:18082
//   PROXY_CERT_FILE   PEM certificate chain; PROXY_KEY_FILE: its PEM key
//   PROXY_USERNAME, PROXY_PASSWORD   the one account allowed in
// Every request without those credentials gets 401 (with WWW-Authenticate) and never reaches the registry; the
// others are forwarded unchanged (method, path, headers but Authorization, body) and the answer streamed back.
import { timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const need = (name) => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`registry-proxy: ${name} is required`);
    process.exit(2);
  }
  return value;
};

const [host, port] = need('PROXY_LISTEN').split(/:(?=\d+$)/);
const target = new URL(need('PROXY_TARGET'));
const digest = (text) => createHash('sha256').update(text).digest();
const expected = digest(`${need('PROXY_USERNAME')}:${need('PROXY_PASSWORD')}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** The request carries the account's basic credentials (compared in constant time over their digests). */
function authorised(header) {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match === null) return false;
  return timingSafeEqual(digest(Buffer.from(match[1], 'base64').toString('utf8')), expected);
}

const server = https.createServer({ cert: readFileSync(need('PROXY_CERT_FILE')), key: readFileSync(need('PROXY_KEY_FILE')) }, (req, res) => {
  if (!authorised(req.headers.authorization)) {
    req.resume();
    res.writeHead(401, { 'www-authenticate': 'Basic realm="foresight schema registry"', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized: valid basic credentials required' }));
    return;
  }
  const headers = { ...req.headers, host: target.host };
  delete headers.authorization;
  const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_code: 502, message: `registry unreachable: ${error.message}` }));
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(port), host, () => console.log(`registry-proxy: https://${host}:${port} -> ${target.origin} (basic auth)`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}
