// `docker create` flags from a workflow's `options:` turned into the Engine API's container settings.
// The common ones are applied; the rest are named in `ignored` so the caller can warn about them.
import type Docker from 'dockerode';

export interface WrittenFlag {
  /** Long name (`--user`), or the shorthand for one Docker has no long name for here (`-u`). */
  name: string;
  value?: string;
  /** As written, for messages. */
  written: string;
}

export interface CreateSettings {
  config: Docker.ContainerCreateOptions;
  hostConfig: Docker.HostConfig;
  /** Extra names the container answers to on the job network. */
  aliases: string[];
  ignored: string[];
}

/** A flag Docker would refuse. */
export class CreateOptionError extends Error {}

const aliases: Record<string, string> = { '-u': '--user', '-w': '--workdir', '-v': '--volume', '-m': '--memory', '-l': '--label', '-h': '--hostname' };

export function createSettings(flags: readonly WrittenFlag[]): CreateSettings {
  const settings: CreateSettings = { config: {}, hostConfig: {}, aliases: [], ignored: [] };
  const { config, hostConfig } = settings;
  for (const flag of flags) {
    const name = aliases[flag.name] ?? flag.name;
    const value = flag.value ?? '';
    const needValue = () => {
      if (flag.value === undefined) throw new CreateOptionError(`flag needs an argument: ${flag.name}`);
      return flag.value;
    };
    switch (name) {
      case '--user':
        config.User = needValue();
        break;
      case '--workdir':
        config.WorkingDir = needValue();
        break;
      case '--hostname':
        config.Hostname = needValue();
        break;
      case '--entrypoint':
        config.Entrypoint = value === '' ? [''] : [value];
        break;
      case '--stop-signal':
        config.StopSignal = needValue();
        break;
      case '--label': {
        const [key = '', ...rest] = needValue().split('=');
        config.Labels = { ...config.Labels, [key]: rest.join('=') };
        break;
      }
      case '--volume':
        hostConfig.Binds = [...(hostConfig.Binds ?? []), needValue()];
        break;
      case '--tmpfs': {
        const [target = '', ...mountOptions] = needValue().split(':');
        hostConfig.Tmpfs = { ...hostConfig.Tmpfs, [target]: mountOptions.join(':') };
        break;
      }
      case '--shm-size':
        hostConfig.ShmSize = parseBytes(flag.written, needValue());
        break;
      case '--memory':
        hostConfig.Memory = parseBytes(flag.written, needValue());
        break;
      case '--cpus': {
        const cpus = Number(needValue());
        if (!(cpus > 0)) throw new CreateOptionError(`${flag.written}: expects a positive number of CPUs`);
        hostConfig.NanoCpus = Math.round(cpus * 1e9);
        break;
      }
      case '--cap-add':
        hostConfig.CapAdd = [...(hostConfig.CapAdd ?? []), needValue()];
        break;
      case '--cap-drop':
        hostConfig.CapDrop = [...(hostConfig.CapDrop ?? []), needValue()];
        break;
      case '--security-opt':
        hostConfig.SecurityOpt = [...(hostConfig.SecurityOpt ?? []), needValue()];
        break;
      case '--add-host':
        hostConfig.ExtraHosts = [...(hostConfig.ExtraHosts ?? []), needValue()];
        break;
      case '--ulimit': {
        const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(needValue());
        if (match === null) throw new CreateOptionError(`${flag.written}: expects NAME=SOFT[:HARD], e.g. nofile=1024:2048`);
        const soft = Number(match[2]);
        hostConfig.Ulimits = [...(hostConfig.Ulimits ?? []), { Name: match[1]!, Soft: soft, Hard: match[3] === undefined ? soft : Number(match[3]) }];
        break;
      }
      case '--privileged':
        hostConfig.Privileged = flag.value === undefined || flag.value === 'true';
        break;
      case '--read-only':
        hostConfig.ReadonlyRootfs = flag.value === undefined || flag.value === 'true';
        break;
      case '--init':
        // Gantry gives every container an init process already.
        break;
      case '--network-alias':
        settings.aliases.push(needValue());
        break;
      default:
        settings.ignored.push(flag.written);
    }
  }
  return settings;
}

/** Docker's RAMInBytes: `256m`, `1g`, `512mb`, 1024-based, a bare number in bytes. */
export function parseBytes(written: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)b?$/i.exec(text.trim());
  if (match === null) throw new CreateOptionError(`${written}: "${text}" is not a size (e.g. 256m, 1g)`);
  const power = ['', 'k', 'm', 'g', 't', 'p'].indexOf(match[2]!.toLowerCase());
  return Math.round(Number(match[1]) * 1024 ** power);
}
