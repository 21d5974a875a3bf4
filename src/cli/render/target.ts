import type { EngineListener } from '../../engine/events.ts';

/** Where a renderer writes: `process.stdout`, or a test's capture. */
export interface RenderTarget {
  write(text: string): void;
  /** Terminal size, read again for every frame so resizing is followed. */
  columns?: number;
  rows?: number;
}

export interface Renderer {
  readonly listener: EngineListener;
  /** Releases whatever keeps the process alive (the live view's timer); safe to call twice. */
  stop(): void;
}
