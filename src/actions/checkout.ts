// `actions/checkout`, built in: every job's workspace is already a clean checkout
// of the event's commit, so the step reports it and succeeds.

import type { BuiltinAction } from './types.ts';

export const checkout: BuiltinAction = {
  name: 'actions/checkout',
  run: async ({ workspace, sha, inputs, log }) => {
    const ref = inputs.ref?.trim();
    if (ref && ref !== sha) {
      throw new Error(`actions/checkout (built in) checks out the event's commit only; ref '${ref}' is not supported yet`);
    }
    if (inputs.path?.trim()) {
      throw new Error(`actions/checkout (built in): path '${inputs.path}' is not supported yet; the workspace itself holds the checkout`);
    }
    log(`actions/checkout (built in): ${workspace} already holds commit ${sha.slice(0, 12)}`);
  },
};
