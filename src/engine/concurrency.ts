// `concurrency:` groups within one invocation, with GitHub's rules: at most one
// running and one pending member per group; a newer pending member cancels the
// older pending one; `cancel-in-progress` cancels the running one.

export interface GroupMember {
  /** Called when this member loses its place (a newer member replaced or cancelled it). */
  cancel(): void;
}

interface GroupState {
  running?: GroupMember;
  pending?: { member: GroupMember; admit: (admitted: boolean) => void };
}

export class ConcurrencyGroups {
  private readonly groups = new Map<string, GroupState>();

  /**
   * Resolves true when `member` may run (call `release` when it ends), false
   * when it was cancelled while pending.
   */
  acquire(group: string, member: GroupMember, cancelInProgress: boolean): Promise<boolean> {
    const state = this.groups.get(group) ?? {};
    this.groups.set(group, state);
    if (!state.running) {
      state.running = member;
      return Promise.resolve(true);
    }
    if (state.pending) {
      state.pending.member.cancel();
      state.pending.admit(false);
    }
    if (cancelInProgress) state.running.cancel();
    return new Promise((admit) => (state.pending = { member, admit }));
  }

  release(group: string, member: GroupMember): void {
    const state = this.groups.get(group);
    if (!state || state.running !== member) return;
    const next = state.pending;
    state.pending = undefined;
    state.running = next?.member;
    if (next) next.admit(true);
    else this.groups.delete(group);
  }
}
