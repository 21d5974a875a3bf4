// `ports:` entries of a service, read with Docker's `-p` rules, and host ports checked or picked the
// way Docker binds them.
import net from 'node:net';

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  /** The entry as written, for messages. */
  written: string;
  /** The address the host side is bound to, when the entry names one. */
  hostIp?: string;
  /** Absent when any free host port will do (`5432`, `127.0.0.1::5432`). */
  hostPort?: number;
  containerPort: number;
  protocol: PortProtocol;
}

/** An entry Docker would refuse. */
export class PortSpecError extends Error {}

/** `[IP:][HOST:]CONTAINER[/PROTOCOL]`, with ranges (`8000-8001:80-81`) expanded to one mapping per port. */
export function parsePortSpec(written: string): PortMapping[] {
  const { ip, host, container } = splitParts(written.trim());
  const [containerRange, protocolText = 'tcp', ...extra] = container.split('/');
  if (containerRange === undefined || containerRange === '') throw new PortSpecError(`invalid port "${written}": no container port`);
  const protocol = protocolText.toLowerCase();
  if (extra.length > 0 || !isProtocol(protocol)) throw new PortSpecError(`invalid port "${written}": unknown protocol "${protocolText}" (tcp, udp or sctp)`);
  const hostIp = ip === '' ? undefined : parseIp(ip, written);
  const containerPorts = parseRange(containerRange, written, 1);
  const hostPorts = host === '' ? undefined : parseRange(host, written, 0);
  if (hostPorts !== undefined && hostPorts.length !== containerPorts.length) {
    throw new PortSpecError(`invalid port "${written}": the host range and the container range must have the same length`);
  }
  return containerPorts.map((containerPort, index) => {
    const hostPort = hostPorts?.[index];
    return {
      written,
      ...(hostIp === undefined ? {} : { hostIp }),
      ...(hostPort === undefined || hostPort === 0 ? {} : { hostPort }),
      containerPort,
      protocol,
    };
  });
}

/** A port nothing listens on at `host`, found by binding port 0. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port was assigned'))));
    });
  });
}

export type PortAvailability = 'free' | 'in use' | 'not permitted';

/** Whether `port` can be bound at `host` now (it may be taken again before the service binds it). */
export function portAvailability(port: number, host = '127.0.0.1'): Promise<PortAvailability> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('in use');
      else if (error.code === 'EACCES') resolve('not permitted');
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/** Docker splits at colons from the right: CONTAINER, HOST:CONTAINER, IP:HOST:CONTAINER (IPv6 IPs keep theirs). */
function splitParts(text: string): { ip: string; host: string; container: string } {
  const parts = text.split(':');
  const container = parts.pop() ?? '';
  const host = parts.pop() ?? '';
  return { ip: parts.join(':'), host, container };
}

function parseIp(text: string, written: string): string {
  const ip = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (net.isIP(ip) === 0) throw new PortSpecError(`invalid port "${written}": "${text}" is not an IP address`);
  return ip;
}

function parseRange(text: string, written: string, lowest: number): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? start : Number(match[2]);
  if (match === null || start < lowest || end > 65535 || end < start) {
    throw new PortSpecError(`invalid port "${written}": "${text}" is not a port (${lowest}-65535) or a range of ports`);
  }
  return Array.from({ length: end - start + 1 }, (_, offset) => start + offset);
}

function isProtocol(text: string): text is PortProtocol {
  return text === 'tcp' || text === 'udp' || text === 'sctp';
}
