// `--services auto`: containers when a container engine answers, else native processes.
import { ContainerEngineUnavailable, type ContainerEngine } from '../containers/engine.ts';
import type { RunningServices, ServiceProvider, ServiceSpec, ServiceStartContext } from './types.ts';

export class AutoServiceProvider implements ServiceProvider {
  readonly name = 'auto';

  constructor(
    private readonly engine: () => Promise<ContainerEngine>,
    private readonly containers: ServiceProvider,
    private readonly native: ServiceProvider,
  ) {}

  async start(specs: ServiceSpec[], context: ServiceStartContext): Promise<RunningServices> {
    if (specs.length === 0) return this.native.start(specs, context);
    try {
      await this.engine();
    } catch (error) {
      if (!(error instanceof ContainerEngineUnavailable)) throw error;
      context.log('No container engine answered: the services run natively, as programs of this machine (--services native)');
      return this.native.start(specs, context);
    }
    return this.containers.start(specs, context);
  }
}
