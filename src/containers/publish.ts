// Published ports as the Engine API wants them, and the host ports the engine bound.
import type Docker from 'dockerode';

export interface PublishedPort {
  /** Written entry, for messages. */
  written: string;
  hostIp?: string;
  /** Absent: the engine picks a free port. */
  hostPort?: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** Where an unaddressed mapping binds: loopback, so a job's services are not reachable from other machines. */
export const defaultHostIp = '127.0.0.1';

export function publishSettings(ports: readonly PublishedPort[]): { exposed: Record<string, object>; bindings: Docker.PortMap } {
  const exposed: Record<string, object> = {};
  const bindings: Docker.PortMap = {};
  for (const port of ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: port.hostIp ?? defaultHostIp, HostPort: port.hostPort === undefined ? '' : String(port.hostPort) }];
  }
  return { exposed, bindings };
}

/** Container port (without protocol, as `job.services.<id>.ports` has it) to the host port bound for it. */
export function boundPorts(info: Docker.ContainerInspectInfo): Record<string, string> {
  const ports: Record<string, string> = {};
  for (const [key, bound] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const hostPort = (bound as { HostPort?: string }[] | null)?.find((binding) => binding.HostPort)?.HostPort;
    if (hostPort !== undefined) ports[key.split('/')[0] ?? key] = hostPort;
  }
  return ports;
}
