#!/usr/bin/env node
// Gantry runs its TypeScript sources through tsx. This also resolves the one
// platform quirk of @actions/workflow-parser: it imports its JSON schema without
// an import attribute, which plain Node 20 refuses; tsx's loader accepts it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
