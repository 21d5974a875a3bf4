/** No workflow file or folder where the user pointed. Kept apart from load.ts so the CLI can catch it without loading the parser. */
export class WorkflowDiscoveryError extends Error {}
