// The actions Gantry runs itself instead of fetching them.

import type { BuiltinAction } from '../types.ts';
import { setupNode } from './setup-node.ts';
import { setupPython } from './setup-python.ts';

export const builtinActions: BuiltinAction[] = [setupPython, setupNode];
