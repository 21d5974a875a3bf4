import type { Conclusion, Status } from '../api/types.ts';
import { stateLabel, toneOf } from '../format.ts';

const ICONS = { success: '✓', failure: '✕', cancelled: '⊘', skipped: '↷', running: '●', queued: '○' } as const;

/** A state shown by colour, icon and word, so it does not depend on colour alone. */
export function StateBadge({ status, conclusion }: { status: Status | undefined; conclusion: Conclusion | null | undefined }) {
  const tone = toneOf(status, conclusion);
  return (
    <span className={`badge tone-${tone}`} data-state={tone}>
      <span aria-hidden="true" className="badge-icon">
        {ICONS[tone]}
      </span>
      {stateLabel(status, conclusion)}
    </span>
  );
}

export function StateIcon({ status, conclusion }: { status: Status | undefined; conclusion: Conclusion | null | undefined }) {
  const tone = toneOf(status, conclusion);
  return (
    <span className={`state-icon tone-${tone}`} role="img" aria-label={stateLabel(status, conclusion)} data-state={tone}>
      {ICONS[tone]}
    </span>
  );
}
