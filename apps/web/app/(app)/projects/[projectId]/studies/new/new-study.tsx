"use client";
// The new-study page: a form with presets for what the platform tunes, and the same spec as YAML or
// JSON beside it. The form writes the text on every change; editing the text fills the form when
// the form can show the spec, and otherwise the text wins and the form waits. The text is checked
// by the API as you type, and a study is created from exactly that text.
import type { WandbImport } from "@attune/core/tuning/wandb";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { TextField } from "~/components/form.tsx";
import { Segmented } from "~/components/segmented.tsx";
import { Card, ErrorNote, Loading, PageError, PageHeader } from "~/components/ui.tsx";
import {
  activeSchedules,
  applyLrBounds,
  defaultStudyForm,
  detectFormat,
  errorField,
  formToSpec,
  lrTestTrialSettings,
  mergeWandbImport,
  OBJECTIVE_METRICS,
  type ParamRow,
  PRUNERS,
  type PrunerKind,
  prunersFor,
  readSpecText,
  SAMPLERS,
  type SamplerKind,
  SETTINGS,
  type SettingDefinition,
  type SpecErrorLike,
  type SpecFormat,
  type StudyForm,
  samplersFor,
  setObjectives,
  settingApplies,
  settingDefinition,
  specToForm,
  specToText,
  specWithLrBounds,
} from "~/lib/study-form.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { errorCode, type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { LrRangeTestPanel } from "./lr-range-test.tsx";
import styles from "./new-study.module.css";
import { AttentionRow, OptionFields, ParamRowEditor } from "./param-row.tsx";
import { SpecEditor, type SpecEditorHandle, SpecProblems } from "./spec-editor.tsx";
import { WandbImportPanel } from "./wandb-import.tsx";

const DEFAULT_NAME = defaultStudyForm().name;
const VALIDATE_DEBOUNCE_MS = 300;

/** Whether the form shows the text's spec, or why not. */
type Sync =
  | { kind: "in-sync" }
  | { kind: "editor-only"; parts: string[]; nearest: StudyForm }
  | { kind: "unparseable"; message: string; line: number | undefined };

type Dataset = RouterOutputs["datasets"]["list"][number];

const FORMATS = [
  { value: "yaml" as const, label: "YAML" },
  { value: "json" as const, label: "JSON" },
];

export function NewStudyPage({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const { team, canEdit } = useTeamScope(project.data?.teamId);
  const datasets = useQuery(trpc.datasets.list.queryOptions({ projectId }));
  const studies = useQuery(trpc.studies.list.queryOptions({ projectId }));

  const [form, setForm] = useState<StudyForm>(() => defaultStudyForm());
  const [format, setFormat] = useState<SpecFormat>("yaml");
  const [text, setText] = useState(() => specToText(formToSpec(defaultStudyForm()), "yaml"));
  const [sync, setSync] = useState<Sync>({ kind: "in-sync" });
  const editor = useRef<SpecEditorHandle>(null);

  /** A form change: the text follows. */
  const updateForm = (next: StudyForm) => {
    setForm(next);
    setText(specToText(formToSpec(next), format));
    setSync({ kind: "in-sync" });
  };

  /** A text change: the form follows where it can show the spec. */
  const updateText = (next: string) => {
    setText(next);
    const read = readSpecText(next);
    if (!read.ok) {
      setSync({ kind: "unparseable", message: read.message, line: read.line });
      return;
    }
    setFormat(detectFormat(next));
    const { form: nearest, editorOnly } = specToForm(read.value, form);
    if (editorOnly.length === 0) {
      setForm(nearest);
      setSync({ kind: "in-sync" });
    } else {
      setSync({ kind: "editor-only", parts: editorOnly, nearest });
    }
  };

  // The project's first dataset and a study name not yet taken, once both are known.
  const initialised = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, when the lists arrive.
  useEffect(() => {
    if (initialised.current || !datasets.data || !(studies.data || studies.isError)) return;
    initialised.current = true;
    if (sync.kind !== "in-sync") return;
    let next = form;
    const first = datasets.data[0];
    if (next.dataset === "" && first) next = { ...next, dataset: first.name };
    const taken = new Set((studies.data ?? []).map((study) => study.name));
    if (next.name === DEFAULT_NAME && taken.has(next.name)) {
      let n = 2;
      while (taken.has(`${DEFAULT_NAME}-${n}`)) n++;
      next = { ...next, name: `${DEFAULT_NAME}-${n}` };
    }
    if (next !== form) updateForm(next);
  }, [datasets.data, studies.data, studies.isError]);

  // Validation as you type: the API checks the text a moment after the last keystroke.
  const [checkedText, setCheckedText] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setCheckedText(text), VALIDATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const validation = useQuery({
    ...trpc.studies.validate.queryOptions({ projectId, spec: checkedText }),
    enabled: checkedText.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const empty = text.trim() === "";
  const current =
    !empty && checkedText === text && validation.isSuccess && !validation.isPlaceholderData;
  const result = validation.data;
  const errors: SpecErrorLike[] = result && !result.ok ? result.errors : [];
  const valid = current && result?.ok === true;
  const errorLines = useMemo(
    () => new Set(errors.flatMap((error) => (error.line === undefined ? [] : [error.line]))),
    [errors],
  );
  const fieldErrors = useMemo(() => {
    const byField = new Map<string, string[]>();
    for (const error of errors) {
      const field = errorField(error.path);
      const message = `${error.path ? `${error.path}: ` : ""}${error.message}`;
      byField.set(field, [...(byField.get(field) ?? []), message]);
    }
    return byField;
  }, [errors]);

  // The spec the text holds, for the LR range test and the W&B import.
  const textSpec = useMemo(() => {
    const read = readSpecText(text);
    return read.ok ? read.value : undefined;
  }, [text]);
  const specName =
    typeof textSpec === "object" && textSpec !== null && "name" in textSpec
      ? String((textSpec as { name: unknown }).name)
      : undefined;
  const nameTaken =
    specName !== undefined && (studies.data ?? []).some((study) => study.name === specName);
  const specSeed =
    typeof textSpec === "object" && textSpec !== null && "seed" in textSpec
      ? (textSpec as { seed: unknown }).seed
      : undefined;

  const create = useMutation(trpc.studies.create.mutationOptions());
  const start = useMutation(trpc.studies.start.mutationOptions());
  const [startNow, setStartNow] = useState(true);
  const [draft, setDraft] = useState<{ id: string; name: string } | null>(null);
  const onCreate = async () => {
    setDraft(null);
    let study: { id: string; name: string };
    try {
      study = await create.mutateAsync({ projectId, spec: text });
    } catch {
      return; // shown below the button
    }
    void queryClient.invalidateQueries(trpc.studies.list.queryFilter({ projectId }));
    if (startNow) {
      try {
        await start.mutateAsync({ studyId: study.id });
      } catch {
        setDraft(study);
        return;
      }
    }
    router.push(`/studies/${study.id}`);
  };

  const applyLr = (bounds: { low: number; high: number }) => {
    if (sync.kind === "in-sync") updateForm(applyLrBounds(form, bounds));
    else if (textSpec !== undefined)
      updateText(specToText(specWithLrBounds(textSpec, bounds), format));
  };
  const importSweep = (imported: WandbImport) => {
    const base = textSpec ?? formToSpec(form);
    updateText(specToText(mergeWandbImport(base, imported.spec), format));
  };

  if (project.error) {
    return <PageError title="New study" error={project.error} what="project" />;
  }

  const teamLoaded = team !== undefined;
  const locked = !canEdit || sync.kind !== "in-sync";
  const datasetList = datasets.data ?? [];

  return (
    <>
      <PageHeader
        title="New study"
        subtitle="Choose what to tune and how; the spec beside the form is what the study runs."
        crumbs={[
          ...(team ? [{ label: team.name, href: `/teams/${team.id}` }] : []),
          {
            label: project.data?.name ?? "Project",
            href: `/projects/${projectId}`,
          },
          { label: "New study" },
        ]}
      />
      {teamLoaded && !canEdit && (
        <p className="notice" data-testid="viewer-note" style={{ marginBottom: 16 }}>
          You are a viewer in {team.name}: you can read this page and check a spec, but only members
          can create studies or run an LR range test.
        </p>
      )}
      <div className={styles.layout}>
        <div className="stack">
          {sync.kind === "editor-only" && (
            <div className={styles.warn} role="status" data-testid="editor-only-note">
              The spec has parts only the editor shows:{" "}
              {sync.parts.map((part, i) => (
                <span key={part}>
                  {i > 0 && ", "}
                  <code>{part}</code>
                </span>
              ))}
              . The text wins: the form is read-only until they go.{" "}
              {canEdit && (
                <button
                  type="button"
                  className="button small secondary"
                  onClick={() => updateForm(sync.nearest)}
                >
                  Edit in the form (drops them)
                </button>
              )}
            </div>
          )}
          {sync.kind === "unparseable" && (
            <div className={styles.warn} role="status" data-testid="unparseable-note">
              The spec text does not parse
              {sync.line !== undefined ? ` (line ${sync.line})` : ""}: {sync.message}. The form
              shows the last spec that did.{" "}
              {canEdit && (
                <button
                  type="button"
                  className="button small secondary"
                  onClick={() => updateForm(form)}
                >
                  Replace the text with the form's spec
                </button>
              )}
            </div>
          )}

          {canEdit && (
            <details className="card" data-testid="wandb-section">
              <summary style={{ cursor: "pointer", fontWeight: 600 }}>
                Import a W&amp;B sweep config
              </summary>
              <div style={{ marginTop: 12 }}>
                <WandbImportPanel onImport={importSweep} />
              </div>
            </details>
          )}

          <fieldset className={styles.fieldset} disabled={locked} data-testid="study-form">
            <legend className="visually-hidden">Study settings</legend>
            <StudyCard
              nameTaken={nameTaken}
              form={form}
              datasets={datasetList}
              datasetsLoading={datasets.isPending}
              projectId={projectId}
              onChange={updateForm}
              fieldErrors={fieldErrors}
            />
            <ObjectivesCard form={form} onChange={updateForm} fieldErrors={fieldErrors} />
            <TrainingCard form={form} onChange={updateForm} fieldErrors={fieldErrors} />
            <ArchitectureCard
              form={form}
              onChange={updateForm}
              fieldErrors={fieldErrors}
              dataset={findDataset(datasetList, form.dataset)}
            />
            <SearchCard form={form} onChange={updateForm} fieldErrors={fieldErrors} />
            <BudgetCard form={form} onChange={updateForm} fieldErrors={fieldErrors} />
            <MoreSettingsCard form={form} onChange={updateForm} fieldErrors={fieldErrors} />
          </fieldset>

          <Card title="LR range test" testId="lr-range-test-card">
            {datasets.isPending ? (
              <Loading />
            ) : datasetList.length === 0 ? (
              <p className="muted">The project has no dataset to test on yet.</p>
            ) : (
              <LrRangeTestPanel
                projectId={projectId}
                datasets={datasetList}
                datasetName={form.dataset}
                trialSettings={lrTestTrialSettings(textSpec)}
                seed={typeof specSeed === "number" ? specSeed : undefined}
                canEdit={canEdit}
                onApply={applyLr}
              />
            )}
          </Card>
        </div>

        <div className={styles.side}>
          <Card
            title="Spec"
            actions={
              <Segmented
                label="Spec format"
                value={format}
                options={FORMATS}
                testId="spec-format"
                onChange={(next) => {
                  setFormat(next);
                  if (textSpec !== undefined) setText(specToText(textSpec, next));
                }}
              />
            }
          >
            <SpecEditor
              ref={editor}
              value={text}
              onChange={updateText}
              errorLines={errorLines}
              invalid={current && !valid}
              readOnly={!canEdit && teamLoaded}
            />
            <div style={{ marginTop: 10 }} aria-live="polite" data-testid="spec-status">
              {empty ? (
                <span className="bad">The spec is empty.</span>
              ) : validation.error ? (
                <ErrorNote error={validation.error} />
              ) : !current ? (
                <span className="muted">Checking…</span>
              ) : valid ? (
                <span className={styles.valid}>The spec is valid.</span>
              ) : (
                <span className="bad">
                  {errors.length} problem{errors.length === 1 ? "" : "s"} to fix:
                </span>
              )}
              {!empty && errors.length > 0 && (
                <SpecProblems
                  errors={errors}
                  stale={!current}
                  onGoTo={(line) => editor.current?.goToLine(line)}
                />
              )}
            </div>
          </Card>

          {canEdit && (
            <Card testId="create-card">
              <div className={styles.createBar}>
                <label className={styles.inline} style={{ color: "var(--fg)" }}>
                  <input
                    type="checkbox"
                    checked={startNow}
                    data-testid="start-now"
                    onChange={(event) => setStartNow(event.target.checked)}
                  />
                  Start it now (otherwise it stays a draft)
                </label>
                <button
                  type="button"
                  className="button"
                  data-testid="create-study"
                  disabled={!valid || nameTaken || create.isPending || start.isPending}
                  onClick={onCreate}
                >
                  {create.isPending
                    ? "Creating…"
                    : start.isPending
                      ? "Starting…"
                      : startNow
                        ? "Create and start"
                        : "Create draft"}
                </button>
              </div>
              {!valid && !empty && current && (
                <p className="muted" style={{ margin: "8px 0 0", fontSize: "0.85rem" }}>
                  Fix the problems above to create the study.
                </p>
              )}
              {nameTaken && (
                <p className="bad" style={{ margin: "8px 0 0", fontSize: "0.85rem" }} role="alert">
                  The project already has a study named “{specName}”: choose another name.
                </p>
              )}
              {create.error &&
                (errorCode(create.error) === "CONFLICT" ? (
                  <div className="error" role="alert" data-testid="error-note">
                    The project already has a study with this name: choose another name.
                  </div>
                ) : (
                  <ErrorNote error={create.error} />
                ))}
              {draft && (
                <div className="error" role="alert">
                  The study was created but did not start:{" "}
                  {start.error instanceof Error ? start.error.message : "unknown error"}.{" "}
                  <Link href={`/studies/${draft.id}`}>Open the draft {draft.name}</Link>
                </div>
              )}
            </Card>
          )}
        </div>
      </div>
    </>
  );
}

function findDataset(datasets: readonly Dataset[], reference: string): Dataset | undefined {
  return datasets.find((dataset) => dataset.name === reference || dataset.id === reference);
}

interface CardProps {
  form: StudyForm;
  onChange: (form: StudyForm) => void;
  fieldErrors: ReadonlyMap<string, string[]>;
}

function Errors({ messages }: { messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <>
      {messages.map((message) => (
        <p key={message} className={styles.rowError} role="alert" style={{ margin: "4px 0 0" }}>
          {message}
        </p>
      ))}
    </>
  );
}

/** A row for one setting of the catalogue, by name. */
function SettingRow({
  name,
  form,
  onChange,
  fieldErrors,
  note,
}: CardProps & { name: string; note?: ReactNode }) {
  const setting = settingDefinition(name) as SettingDefinition;
  const row = form.settings[name] as ParamRow;
  const set = (next: ParamRow) =>
    onChange({ ...form, settings: { ...form.settings, [name]: next } });
  if (name === "kv_heads") {
    return (
      <AttentionRow setting={setting} row={row} onChange={set} errors={fieldErrors.get(name)} />
    );
  }
  return (
    <ParamRowEditor
      setting={setting}
      row={row}
      onChange={set}
      errors={fieldErrors.get(name)}
      note={note}
    />
  );
}

function StudyCard({
  form,
  onChange,
  fieldErrors,
  datasets,
  datasetsLoading,
  projectId,
  nameTaken,
}: CardProps & {
  datasets: readonly Dataset[];
  datasetsLoading: boolean;
  projectId: string;
  nameTaken: boolean;
}) {
  const known = findDataset(datasets, form.dataset);
  return (
    <Card title="Study">
      <div className="form-grid">
        <TextField
          label="Name"
          type="text"
          data-testid="study-name"
          value={form.name}
          aria-invalid={nameTaken || undefined}
          onChange={(name) => onChange({ ...form, name })}
        >
          <Errors
            messages={[
              ...(nameTaken ? ["The project already has a study with this name."] : []),
              ...(fieldErrors.get("name") ?? []),
            ]}
          />
        </TextField>
        <label className="field">
          <span>Dataset</span>
          <select
            data-testid="study-dataset"
            value={form.dataset}
            onChange={(event) => onChange({ ...form, dataset: event.target.value })}
          >
            {!known && (
              <option value={form.dataset}>
                {datasetsLoading ? "Loading…" : form.dataset || "Choose a dataset"}
              </option>
            )}
            {datasets.map((dataset) => (
              <option key={dataset.id} value={dataset.name}>
                {dataset.name} ({dataset.origin})
              </option>
            ))}
          </select>
          <Errors messages={fieldErrors.get("dataset")} />
        </label>
        <label className="field">
          <span>Task</span>
          <select
            value={form.task}
            onChange={(event) =>
              onChange({ ...form, task: event.target.value as StudyForm["task"] })
            }
          >
            <option value="language-modelling">Language modelling</option>
            <option value="classification">Classification</option>
          </select>
          <Errors messages={fieldErrors.get("task")} />
        </label>
      </div>
      {!datasetsLoading && datasets.length === 0 && (
        <p className="notice" style={{ marginBottom: 0 }}>
          This project has no datasets yet. <Link href={`/projects/${projectId}`}>Add one</Link>{" "}
          first: a study trains on one of its project's datasets.
        </p>
      )}
    </Card>
  );
}

function ObjectivesCard({ form, onChange, fieldErrors }: CardProps) {
  const metrics = OBJECTIVE_METRICS.filter(
    (entry) => !entry.classificationOnly || form.task === "classification",
  );
  const setObjective = (index: number, next: StudyForm["objectives"][number]) =>
    onChange(
      setObjectives(
        form,
        form.objectives.map((objective, i) => (i === index ? next : objective)),
      ),
    );
  return (
    <Card title="Objectives" testId="objectives">
      {form.objectives.map((objective, index) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: objectives are edited in place by position.
          key={index}
          className={styles.objective}
          data-testid={`objective-${index}`}
        >
          <select
            aria-label={`Objective ${index + 1} metric`}
            value={objective.metric}
            onChange={(event) => {
              const metric = event.target.value;
              const direction =
                OBJECTIVE_METRICS.find((entry) => entry.metric === metric)?.direction ??
                objective.direction;
              setObjective(index, { metric, direction });
            }}
          >
            {!metrics.some((entry) => entry.metric === objective.metric) && (
              <option value={objective.metric}>{objective.metric}</option>
            )}
            {metrics.map((entry) => (
              <option key={entry.metric} value={entry.metric}>
                {entry.label} ({entry.metric})
              </option>
            ))}
          </select>
          <Segmented
            label={`Objective ${index + 1} direction`}
            value={objective.direction}
            options={[
              { value: "minimize", label: "minimize" },
              { value: "maximize", label: "maximize" },
            ]}
            onChange={(direction) => setObjective(index, { ...objective, direction })}
          />
          {index > 0 && (
            <button
              type="button"
              className="button small ghost"
              onClick={() =>
                onChange(
                  setObjectives(
                    form,
                    form.objectives.filter((_, i) => i !== index),
                  ),
                )
              }
            >
              Remove
            </button>
          )}
        </div>
      ))}
      {form.objectives.length < 2 && (
        <button
          type="button"
          className="button small secondary"
          data-testid="add-objective"
          onClick={() => {
            const used = new Set(form.objectives.map((objective) => objective.metric));
            const next =
              metrics.find((entry) => entry.metric === "tokens_per_s" && !used.has(entry.metric)) ??
              metrics.find((entry) => !used.has(entry.metric));
            if (next) {
              onChange(
                setObjectives(form, [
                  ...form.objectives,
                  { metric: next.metric, direction: next.direction },
                ]),
              );
            }
          }}
        >
          Add a second objective (multi-objective)
        </button>
      )}
      {form.objectives.length > 1 && (
        <p className="muted" style={{ margin: "4px 0 0", fontSize: "0.85rem" }}>
          Two objectives: the study looks for the Pareto front. TPE and the single-objective pruners
          do not apply.
        </p>
      )}
      <Errors messages={fieldErrors.get("objectives")} />
    </Card>
  );
}

function TrainingCard(props: CardProps) {
  const { form, fieldErrors } = props;
  const schedules = activeSchedules(form);
  const scheduleSettings = SETTINGS.filter(
    (setting) => setting.group === "schedule" && settingApplies(setting, schedules),
  );
  return (
    <Card title="Training" testId="training">
      <div className={styles.rows}>
        <SettingRow {...props} name="lr" />
        <SettingRow {...props} name="batch_size" />
        <SettingRow {...props} name="schedule" />
        {scheduleSettings.map((setting) => (
          <SettingRow key={setting.name} {...props} name={setting.name} />
        ))}
      </div>
      <Errors messages={fieldErrors.get("searchSpace")} />
      <Errors messages={fieldErrors.get("fixed")} />
    </Card>
  );
}

function ArchitectureCard(props: CardProps & { dataset: Dataset | undefined }) {
  const { dataset, form, onChange } = props;
  const trpc = useTRPC();
  const recommended = useQuery({
    ...trpc.datasets.recommendSequenceLength.queryOptions({ datasetId: dataset?.id ?? "" }),
    enabled: dataset !== undefined,
    staleTime: 5 * 60_000,
  });
  const length = recommended.data?.length;
  const seqLen = form.settings.seq_len as ParamRow;
  const applyLength = () => {
    if (length === undefined) return;
    const next: ParamRow =
      seqLen.mode === "choices"
        ? {
            ...seqLen,
            choices: seqLen.choices.split(",").some((item) => item.trim() === String(length))
              ? seqLen.choices
              : [seqLen.choices.trim(), String(length)].filter(Boolean).join(", "),
          }
        : { ...seqLen, mode: "fixed", value: String(length) };
    onChange({ ...form, settings: { ...form.settings, seq_len: next } });
  };
  const note =
    dataset && recommended.data ? (
      <span data-testid="recommended-seq-len">
        Recommended for {dataset.name}: <strong>{length}</strong>{" "}
        {recommended.data.basis === "data"
          ? `(covers 95% of samples; ${Math.round(recommended.data.truncationRate * 100)}% get cut)`
          : `(${recommended.data.reason})`}{" "}
        <button type="button" className="button small secondary" onClick={applyLength}>
          {seqLen.mode === "choices" ? `Add ${length}` : `Use ${length}`}
        </button>
      </span>
    ) : dataset && recommended.isPending ? (
      "Measuring the dataset's samples…"
    ) : undefined;
  return (
    <Card title="Architecture" testId="architecture">
      <div className={styles.rows}>
        <SettingRow {...props} name="seq_len" note={note} />
        <SettingRow {...props} name="layers" />
        <SettingRow {...props} name="d_model" />
        <SettingRow {...props} name="heads" />
        <SettingRow {...props} name="kv_heads" />
        <SettingRow {...props} name="norm" />
      </div>
    </Card>
  );
}

function SearchCard({ form, onChange, fieldErrors }: CardProps) {
  const count = form.objectives.length;
  const samplers = samplersFor(count);
  const pruners = prunersFor(count);
  return (
    <Card title="Sampler and pruner" testId="search">
      <div className="form-grid">
        <label className="field">
          <span>Sampler</span>
          <select
            data-testid="sampler-kind"
            value={form.sampler}
            onChange={(event) => onChange({ ...form, sampler: event.target.value as SamplerKind })}
          >
            {(samplers.includes(form.sampler) ? samplers : [form.sampler, ...samplers]).map(
              (kind) => (
                <option key={kind} value={kind}>
                  {SAMPLERS[kind].label}
                </option>
              ),
            )}
          </select>
        </label>
        <label className="field">
          <span>Pruner</span>
          <select
            data-testid="pruner-kind"
            value={form.pruner}
            onChange={(event) => onChange({ ...form, pruner: event.target.value as PrunerKind })}
          >
            {(pruners.includes(form.pruner) ? pruners : [form.pruner, ...pruners]).map((kind) => (
              <option key={kind} value={kind}>
                {PRUNERS[kind].label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <OptionFields
        testId="sampler-settings"
        fields={SAMPLERS[form.sampler].fields}
        values={form.samplerSettings[form.sampler]}
        onChange={(values) =>
          onChange({
            ...form,
            samplerSettings: { ...form.samplerSettings, [form.sampler]: values },
          })
        }
      />
      <Errors messages={fieldErrors.get("sampler")} />
      {PRUNERS[form.pruner].fields.length > 0 && (
        <h3 className={styles.subhead}>Pruner settings</h3>
      )}
      <OptionFields
        testId="pruner-settings"
        fields={PRUNERS[form.pruner].fields}
        values={form.prunerSettings[form.pruner]}
        onChange={(values) =>
          onChange({ ...form, prunerSettings: { ...form.prunerSettings, [form.pruner]: values } })
        }
      />
      <Errors messages={fieldErrors.get("pruner")} />
    </Card>
  );
}

function BudgetCard(props: CardProps) {
  const { form, onChange, fieldErrors } = props;
  const budget = form.budget;
  const setBudget = (partial: Partial<StudyForm["budget"]>) =>
    onChange({ ...form, budget: { ...budget, ...partial } });
  const lengthKey = budget.unit === "steps" ? "budget.stepsPerTrial" : "budget.tokensPerTrial";
  return (
    <Card title="Budget" testId="budget">
      <div className="form-grid">
        <TextField
          label="Trials"
          type="text"
          inputMode="numeric"
          data-testid="budget-trials"
          value={budget.trials}
          onChange={(trials) => setBudget({ trials })}
        >
          <Errors messages={fieldErrors.get("budget.trials")} />
        </TextField>
        <TextField
          label="In parallel"
          type="text"
          inputMode="numeric"
          placeholder="1"
          value={budget.parallelTrials}
          onChange={(parallelTrials) => setBudget({ parallelTrials })}
        >
          <Errors messages={fieldErrors.get("budget.parallelTrials")} />
        </TextField>
        <div className="field">
          <span>Length of a trial</span>
          <div className="row" style={{ gap: 6, flexWrap: "nowrap" }}>
            <input
              type="text"
              inputMode="numeric"
              aria-label={`Length of a trial in ${budget.unit}`}
              data-testid="budget-length"
              style={{ minWidth: 0, flex: 1 }}
              value={budget.length}
              onChange={(event) => setBudget({ length: event.target.value })}
            />
            <select
              aria-label="Unit of a trial's length"
              value={budget.unit}
              onChange={(event) =>
                setBudget({ unit: event.target.value as StudyForm["budget"]["unit"] })
              }
            >
              <option value="steps">steps</option>
              <option value="tokens">tokens</option>
            </select>
          </div>
          <Errors
            messages={fieldErrors.get(lengthKey) ?? fieldErrors.get("budget.stepsPerTrial")}
          />
        </div>
        <TextField
          label="Wall-time limit (minutes)"
          type="text"
          inputMode="decimal"
          placeholder="none"
          value={budget.wallTimeMinutes}
          onChange={(wallTimeMinutes) => setBudget({ wallTimeMinutes })}
        >
          <Errors messages={fieldErrors.get("budget.wallTimeMinutes")} />
        </TextField>
        <TextField
          label="Seed"
          type="text"
          inputMode="numeric"
          data-testid="study-seed"
          placeholder="drawn at creation"
          value={form.seed}
          onChange={(seed) => onChange({ ...form, seed })}
        >
          <Errors messages={fieldErrors.get("seed")} />
        </TextField>
      </div>
      <div className={styles.rows} style={{ marginTop: 8 }}>
        <SettingRow {...props} name="eval_every" />
      </div>
      <Errors messages={fieldErrors.get("budget")} />
    </Card>
  );
}

function MoreSettingsCard(props: CardProps) {
  const more = SETTINGS.filter((setting) => setting.group === "more");
  const changed = more.filter((setting) => props.form.settings[setting.name]?.mode !== "default");
  return (
    <details
      className="card"
      open={changed.length > 0 ? true : undefined}
      data-testid="more-settings"
    >
      <summary style={{ cursor: "pointer", fontWeight: 600 }}>
        More settings{" "}
        <span className="muted" style={{ fontWeight: 400, fontSize: "0.85rem" }}>
          optimizer, regularisation, embeddings, tokenizer
          {changed.length > 0 ? ` · ${changed.length} set` : ""}
        </span>
      </summary>
      <div className={styles.rows} style={{ marginTop: 8 }}>
        {more.map((setting) => (
          <SettingRow key={setting.name} {...props} name={setting.name} />
        ))}
      </div>
    </details>
  );
}
