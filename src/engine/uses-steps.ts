// `uses:` steps until the action store exists: `actions/checkout` is built in
// (every job's workspace already holds the event's commit); any other action
// fails with one line that says why and what would make it run.

export interface BuiltinAction {
  run(context: { workspace: string; sha: string }): string;
}

const checkout: BuiltinAction = {
  run: ({ workspace, sha }) => `actions/checkout (built in): ${workspace} already holds commit ${sha.slice(0, 12)}`,
};

export function builtinAction(uses: string): BuiltinAction | undefined {
  return /^actions\/checkout@/i.test(uses) ? checkout : undefined;
}

export function unsupportedActionReason(uses: string): string {
  if (uses.startsWith('docker://')) {
    return `cannot run "${uses}" here: it needs a container engine (Docker or Podman), and this version of Gantry has no container executor yet`;
  }
  if (uses.startsWith('./')) {
    return `cannot run the local action "${uses}" yet: running actions arrives with Gantry's action support; until then, use run: steps`;
  }
  return (
    `cannot run "${uses}" here: actions from repositories need Gantry's action store, which this version does not have ` +
    '(and this machine cannot fetch from the network); only actions/checkout is built in. ' +
    'Run this step on GitHub, or replace it with run: steps'
  );
}
