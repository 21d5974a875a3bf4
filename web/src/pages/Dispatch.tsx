import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, enc } from '../api/client.ts';
import type { DispatchInput, Repo, Run, Workflow } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { ErrorNote, Loading } from '../components/Notice.tsx';

function InputField({ name, input }: { name: string; input: DispatchInput }) {
  const id = `input-${name}`;
  const label = (
    <label htmlFor={id}>
      {name}
      {input.required && <span aria-hidden="true"> *</span>}
    </label>
  );
  const help = input.description ? (
    <p id={`${id}-help`} className="muted small">
      {input.description}
    </p>
  ) : null;
  const describedBy = input.description ? `${id}-help` : undefined;
  if (input.type === 'boolean') {
    return (
      <div className="field checkbox">
        <input id={id} name={name} type="checkbox" defaultChecked={input.default === true || input.default === 'true'} aria-describedby={describedBy} />
        {label}
        {help}
      </div>
    );
  }
  if (input.type === 'choice' && input.options) {
    return (
      <div className="field">
        {label}
        <select id={id} name={name} defaultValue={String(input.default ?? input.options[0] ?? '')} required={input.required} aria-describedby={describedBy}>
          {input.options.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
        {help}
      </div>
    );
  }
  return (
    <div className="field">
      {label}
      <input
        id={id}
        name={name}
        type={input.type === 'number' ? 'number' : 'text'}
        step={input.type === 'number' ? 'any' : undefined}
        defaultValue={input.default === undefined ? '' : String(input.default)}
        required={input.required}
        aria-describedby={describedBy}
      />
      {help}
    </div>
  );
}

export function Dispatch() {
  const { repo = '' } = useParams();
  const [params] = useSearchParams();
  const file = params.get('workflow') ?? '';
  const navigate = useNavigate();
  const workflows = useApi<{ workflows: Workflow[] }>(`/api/repos/${enc(repo)}/workflows`);
  const repos = useApi<{ repos: Repo[] }>('/api/repos');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const workflow = workflows.data?.workflows.find((candidate) => candidate.file === file);
  const defaultBranch = repos.data?.repos.find((candidate) => candidate.name === repo)?.defaultBranch ?? 'main';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!workflow) return;
    const data = new FormData(event.currentTarget);
    const inputs: Record<string, string | boolean | number> = {};
    for (const [name, input] of Object.entries(workflow.dispatchInputs ?? {})) {
      if (input.type === 'boolean') inputs[name] = data.get(name) === 'on';
      else if (input.type === 'number' && data.get(name) !== '') inputs[name] = Number(data.get(name));
      else inputs[name] = String(data.get(name) ?? '');
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<{ run: Run }>(`/api/repos/${enc(repo)}/dispatch`, { workflow: file, ref: String(data.get('ref') ?? defaultBranch), inputs });
      navigate(`/runs/${result.run.id}`);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main">
      <p className="crumbs">
        <Link to={`/repos/${enc(repo)}`}>{repo}</Link> /
      </p>
      <h1>Run workflow{workflow ? `: ${workflow.name}` : ''}</h1>
      <ErrorNote error={workflows.error} />
      {!workflows.data && <Loading what="the workflow" />}
      {workflows.data && !workflow && <ErrorNote error={`${repo} has no workflow ${file}.`} />}
      {workflow && !workflow.dispatchInputs && <ErrorNote error={`${workflow.file} has no workflow_dispatch trigger.`} />}
      {workflow?.dispatchInputs && repos.data && (
        <form className="dispatch" onSubmit={submit} aria-label={`Run ${workflow.name}`}>
          <div className="field">
            <label htmlFor="ref">Branch or tag</label>
            <input id="ref" name="ref" defaultValue={defaultBranch} required />
          </div>
          {Object.entries(workflow.dispatchInputs).map(([name, input]) => (
            <InputField key={name} name={name} input={input} />
          ))}
          <ErrorNote error={error} />
          <button type="submit" disabled={busy}>
            Run workflow
          </button>
        </form>
      )}
    </main>
  );
}
