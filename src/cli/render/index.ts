// How `gantry run` shows a run: a live view on an interactive terminal,
// prefixed lines everywhere else. Both end with the same summary.

import { PlainRenderer } from './plain.ts';
import type { Renderer, RenderTarget } from './target.ts';
import { TtyRenderer } from './tty.ts';

export interface RendererOptions {
  /** True for an interactive terminal (`process.stdout.isTTY`). */
  tty: boolean;
  /** False for `--no-color` or a non-empty NO_COLOR; decided by the caller. */
  color: boolean;
  out: RenderTarget;
  now?: () => number;
}

/** A renderer already listening; call `stop()` when the run ends or is abandoned. */
export function createRenderer(options: RendererOptions): Renderer {
  if (!options.tty) return new PlainRenderer(options);
  const live = new TtyRenderer(options);
  live.start();
  return live;
}

export type { Renderer, RenderTarget } from './target.ts';
