// Containers and networks must not outlive Gantry. Jobs remove what they create; if the process exits
// before they could (an uncaught error, process.exit), a detached Node process removes the rest
// through the same API, since an exit handler cannot wait for HTTP requests. Nothing helps against SIGKILL.
import { spawn } from 'node:child_process';
import type { EngineAddress } from './locate.ts';

type Kind = 'container' | 'network';

const live = new Map<string, { address: EngineAddress; kind: Kind; id: string }>();

const keyOf = (address: EngineAddress, kind: Kind, id: string) => `${address.shown}\0${kind}\0${id}`;

export function trackResource(address: EngineAddress, kind: Kind, id: string): void {
  live.set(keyOf(address, kind, id), { address, kind, id });
}

export function forgetResource(address: EngineAddress, kind: Kind, id: string): void {
  live.delete(keyOf(address, kind, id));
}

/** Removes, one after another, each container then each network it is given (as JSON in argv[1]). */
const sweeper = `
const http = require('node:http');
const https = require('node:https');
const items = JSON.parse(process.argv[1]);
const order = (kind) => items.filter((item) => item.kind === kind);
const remove = (item) => new Promise((resolve) => {
  const a = item.address;
  const path = item.kind === 'container' ? '/containers/' + encodeURIComponent(item.id) + '?force=true&v=true' : '/networks/' + encodeURIComponent(item.id);
  const target = a.socketPath ? { socketPath: a.socketPath } : { host: a.host, port: a.port };
  const request = (a.protocol === 'https' ? https : http).request({ ...target, path, method: 'DELETE', timeout: 30000 }, (response) => { response.resume(); response.on('end', resolve); });
  request.on('error', resolve);
  request.on('timeout', () => { request.destroy(); resolve(); });
  request.end();
});
(async () => { for (const item of [...order('container'), ...order('network')]) await remove(item); })();
`;

process.on('exit', () => {
  if (live.size === 0) return;
  const child = spawn(process.execPath, ['-e', sweeper, JSON.stringify([...live.values()])], { detached: true, stdio: 'ignore' });
  child.unref();
});
