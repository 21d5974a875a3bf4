// A job's steps and its log: step sections and `::group::` sections that fold, line numbers that link to
// #L<n>, search, timestamps on demand, and only the rows on screen in the DOM (virtualized), so 100,000
// lines scroll as fast as 100. While the job runs, the view follows the end unless the reader scrolled up.

import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Step } from '../api/types.ts';
import { durationOf, stateLabel } from '../format.ts';
import type { LogModel, LogRow, SectionKey } from '../log/log-model.ts';
import { AnsiText } from './AnsiText.tsx';
import { StateIcon } from './StateBadge.tsx';

const ROW_HEIGHT = 20;

function lineFromHash(hash: string): number | null {
  const match = /^#L(\d+)$/.exec(hash);
  return match ? Number(match[1]) : null;
}

const isRunning = (step: Step) => !step.conclusion && (step.status === 'running' || step.status === 'in_progress');

function toggled<T>(set: ReadonlySet<T>, value: T, on: boolean): Set<T> {
  const next = new Set(set);
  if (on) next.add(value);
  else next.delete(value);
  return next;
}

interface Props {
  model: LogModel;
  version: number;
  steps: Step[];
  live: boolean;
  now: number;
}

export function LogView({ model, version, steps, live, now }: Props) {
  const [userOpened, setUserOpened] = useState<ReadonlySet<SectionKey>>(new Set());
  const [userClosed, setUserClosed] = useState<ReadonlySet<SectionKey>>(new Set());
  const [openGroups, setOpenGroups] = useState<ReadonlySet<number>>(new Set());
  const [query, setQuery] = useState('');
  const [matchCursor, setMatchCursor] = useState(0);
  const [showTimes, setShowTimes] = useState(false);
  const [selectedLine, setSelectedLine] = useState<number | null>(() => lineFromHash(window.location.hash));
  const [pendingReveal, setPendingReveal] = useState<number | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToEnd = useRef(true);

  const stepByNumber = useMemo(() => new Map(steps.map((step) => [step.number, step])), [steps]);
  const order = useMemo<SectionKey[]>(() => [null, ...steps.map((step) => step.number)], [steps]);

  // Steps seen running stay open (the reader was watching them), failed steps open by themselves, and the
  // reader's own choices win.
  const [seenRunning, setSeenRunning] = useState<ReadonlySet<number>>(() => new Set(steps.filter(isRunning).map((step) => step.number)));
  const [seenSteps, setSeenSteps] = useState(steps);
  if (seenSteps !== steps) {
    setSeenSteps(steps);
    const started = steps.filter((step) => isRunning(step) && !seenRunning.has(step.number));
    if (started.length > 0) setSeenRunning(new Set([...seenRunning, ...started.map((step) => step.number)]));
  }
  const expanded = useMemo(() => {
    const open = new Set<SectionKey>(userOpened);
    for (const step of steps) {
      const auto = step.conclusion === 'failure' || isRunning(step) || seenRunning.has(step.number);
      if (auto && !userClosed.has(step.number)) open.add(step.number);
    }
    if (steps.length === 0 && !userClosed.has(null)) open.add(null);
    return open;
  }, [steps, userOpened, userClosed, seenRunning]);

  const rows = useMemo<LogRow[]>(
    () => model.rows(order, expanded, openGroups),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the model is mutable; `version` says when it changed
    [model, version, order, expanded, openGroups],
  );

  const matches = useMemo(
    () => (query ? model.search(query) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- see above
    [model, version, query],
  );

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read afresh on every render; nothing memoizes it
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 40,
  });

  const setSection = useCallback((key: SectionKey, open: boolean) => {
    setUserOpened((set) => toggled(set, key, open));
    setUserClosed((set) => toggled(set, key, !open));
  }, []);

  /** Opens the step and group holding line `index`, then scrolls to it once the rows exist. */
  const reveal = useCallback(
    (index: number) => {
      const line = model.lines[index];
      if (!line) return;
      if (!expanded.has(line.step)) setSection(line.step, true);
      if (line.group >= 0 && line.kind !== 'group' && !openGroups.has(line.group)) setOpenGroups((set) => toggled(set, line.group, true));
      stickToEnd.current = false;
      setPendingReveal(index);
    },
    [model, expanded, openGroups, setSection],
  );

  useEffect(() => {
    if (pendingReveal === null) return;
    const position = rows.findIndex((row) => row.kind === 'line' && row.index === pendingReveal);
    if (position >= 0) {
      virtualizer.scrollToIndex(position, { align: 'center' });
      setPendingReveal(null);
    }
  }, [pendingReveal, rows, virtualizer]);

  // #L<n> in the address: reveal that line as soon as it has arrived.
  const revealedFromHash = useRef<number | null>(null);
  useEffect(() => {
    if (selectedLine === null || revealedFromHash.current === selectedLine) return;
    const index = model.indexOfLine(selectedLine);
    if (index < 0) return;
    revealedFromHash.current = selectedLine;
    reveal(index);
  }, [selectedLine, version, model, reveal]);
  useEffect(() => {
    const onHash = () => setSelectedLine(lineFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Follow the end while the job runs and the reader has not scrolled away.
  useEffect(() => {
    if (live && stickToEnd.current && rows.length > 0 && pendingReveal === null) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [live, rows.length, virtualizer, pendingReveal]);

  const onScroll = () => {
    const element = scrollRef.current;
    if (element) stickToEnd.current = element.scrollTop + element.clientHeight >= element.scrollHeight - ROW_HEIGHT * 2;
  };

  const goToMatch = (cursor: number) => {
    if (matches.length === 0) return;
    const wrapped = ((cursor % matches.length) + matches.length) % matches.length;
    setMatchCursor(wrapped);
    const index = matches[wrapped];
    if (index !== undefined) reveal(index);
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      goToMatch(event.shiftKey ? matchCursor - 1 : matchCursor + 1);
    }
  };

  const currentMatch = matches[matchCursor];
  const stepName = (key: SectionKey) => (key === null ? 'Set up job' : (stepByNumber.get(key)?.name ?? `Step ${key}`));

  return (
    <div className="job-layout">
      <nav className="steps" aria-label="Steps">
        <ol>
          {steps.map((step) => (
            <li key={step.number}>
              <button
                type="button"
                className={`step-button${expanded.has(step.number) ? ' open' : ''}`}
                aria-expanded={expanded.has(step.number)}
                onClick={() => {
                  const open = !expanded.has(step.number);
                  setSection(step.number, open);
                  if (open) {
                    const first = model.sections.get(step.number)?.[0];
                    if (first !== undefined) {
                      stickToEnd.current = false;
                      setPendingReveal(first);
                    }
                  }
                }}
                data-step={step.number}
                data-state={step.conclusion ?? step.status}
              >
                <StateIcon status={step.status} conclusion={step.conclusion} />
                <span className="step-name">{step.name}</span>
                <span className="step-duration">{durationOf(step, now)}</span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section className="log" aria-label="Log">
        <div className="log-toolbar" role="group" aria-label="Log tools">
          <label className="log-search">
            <span className="visually-hidden">Search the log</span>
            <input
              type="search"
              placeholder="Search log"
              value={query}
              onChange={(event) => {
                setQuery(event.target.value);
                setMatchCursor(-1);
              }}
              onKeyDown={onSearchKey}
            />
          </label>
          <span className="log-matches" aria-live="polite">
            {query ? (matches.length ? `${matchCursor >= 0 ? matchCursor + 1 : 0} of ${matches.length}` : 'No matches') : ''}
          </span>
          <button type="button" onClick={() => goToMatch(matchCursor - 1)} disabled={matches.length === 0} aria-label="Previous match">
            ↑
          </button>
          <button type="button" onClick={() => goToMatch(matchCursor + 1)} disabled={matches.length === 0} aria-label="Next match">
            ↓
          </button>
          <label className="log-option">
            <input type="checkbox" checked={showTimes} onChange={(event) => setShowTimes(event.target.checked)} /> Timestamps
          </label>
          <span className="log-count">{model.lines.length.toLocaleString()} lines</span>
          {live && <span className="live-dot">Live</span>}
        </div>
        <div className="log-scroll" ref={scrollRef} onScroll={onScroll} tabIndex={0} role="region" aria-label="Log lines" data-testid="log">
          <div className="log-canvas" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              const style = { transform: `translateY(${item.start}px)` };
              if (row.kind === 'section') {
                const open = expanded.has(row.step);
                const step = row.step === null ? undefined : stepByNumber.get(row.step);
                return (
                  <div key={`s${row.step ?? 'job'}`} className="log-row log-section" style={style}>
                    <button type="button" aria-expanded={open} onClick={() => setSection(row.step, !open)} data-section={row.step ?? 'job'}>
                      <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                      {step && <StateIcon status={step.status} conclusion={step.conclusion} />}
                      <span className="log-section-name">{stepName(row.step)}</span>
                      <span className="muted">
                        {step ? `${stateLabel(step.status, step.conclusion)} ${durationOf(step, now)}` : ''}
                      </span>
                    </button>
                  </div>
                );
              }
              const line = model.lines[row.index];
              if (!line) return null;
              const classes = ['log-row', `kind-${line.kind}`, `stream-${line.stream}`, row.inGroup ? 'in-group' : '', line.n === selectedLine ? 'selected' : '', row.index === currentMatch ? 'current-match' : '']
                .filter(Boolean)
                .join(' ');
              return (
                <div key={`l${row.index}`} className={classes} style={style} data-line={line.n}>
                  <a className="ln" href={`#L${line.n}`} aria-label={`Line ${line.n}`} onClick={() => setSelectedLine(line.n)}>
                    {line.n}
                  </a>
                  {showTimes && <span className="ts">{line.at ? new Date(line.at).toISOString().slice(11, 23) : ''}</span>}
                  {line.kind === 'group' ? (
                    <button
                      type="button"
                      className="group-toggle"
                      aria-expanded={openGroups.has(row.index)}
                      onClick={() => setOpenGroups((set) => toggled(set, row.index, !set.has(row.index)))}
                    >
                      <span aria-hidden="true">{openGroups.has(row.index) ? '▾' : '▸'}</span> <AnsiText text={line.text} highlight={query} />
                      <span className="muted"> ({model.groupSizes.get(row.index) ?? 0} lines)</span>
                    </button>
                  ) : (
                    <span className="text">
                      {line.kind === 'error' || line.kind === 'warning' || line.kind === 'notice' ? <span className="marker">{line.kind}: </span> : null}
                      <AnsiText text={line.text} highlight={query} />
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </section>
    </div>
  );
}
