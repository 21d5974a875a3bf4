import type { Step } from '../workflow/types.ts';

/** GitHub's ids for steps without `id:`: `__run`, `__run_2`, `__actions_checkout`, ... */
export function stepIds(steps: readonly Step[]): string[] {
  const used = new Set(steps.flatMap((step) => (step.id ? [step.id] : [])));
  return steps.map((step) => {
    if (step.id) return step.id;
    const base = step.uses ? `__${step.uses.replace(/@.*$/, '').replace(/[^A-Za-z0-9]+/g, '_')}` : '__run';
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    return id;
  });
}

/** The name GitHub shows for a step without `name:`. */
export function defaultStepName(step: Step, script: string | undefined): string {
  if (step.uses) return `Run ${step.uses}`;
  const firstLine = (script ?? '').split('\n').find((line) => line.trim() !== '') ?? '';
  return `Run ${firstLine.trim()}`;
}
