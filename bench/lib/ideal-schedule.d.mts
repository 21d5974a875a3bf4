/** Runs `runStep` once per job of the scheduling benchmark's graph in the ideal schedule. */
export function idealSchedule(fanOut: number, chain: number, parallel: number, runStep: () => Promise<unknown>): Promise<void>;
