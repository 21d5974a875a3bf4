// The actions Gantry runs itself instead of fetching them.

import type { BuiltinAction } from '../types.ts';
import { cacheAction, cacheRestoreAction, cacheSaveAction } from './cache.ts';
import { downloadArtifact } from './download-artifact.ts';
import { setupNode } from './setup-node.ts';
import { setupPython } from './setup-python.ts';
import { uploadArtifact } from './upload-artifact.ts';

export const builtinActions: BuiltinAction[] = [setupPython, setupNode, cacheAction, cacheRestoreAction, cacheSaveAction, uploadArtifact, downloadArtifact];
