/** A problem with the event a user asked for: a bad event file, branches without history. */
export class EventError extends Error {}
