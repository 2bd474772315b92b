"use client";
// The new-study page: a form with presets for what the platform tunes, and the same spec as YAML or
// JSON beside it. The form writes the text on every change; editing the text fills the form when
// the form can show the spec, and otherwise the text wins and the form waits (useSpecSync). The
// text is checked by the API as you type (useSpecValidation), and a study is created from exactly
// that text.
import type { WandbImport } from "@attune/core/spec";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Card, Loading, PageError, PageHeader, projectCrumbs } from "~/components/ui.tsx";
import {
  applyLrBounds,
  lrTestModel,
  lrTestTrialSettings,
  mergeWandbImport,
  specWithLrBounds,
} from "~/lib/study-form/form-edits.ts";
import { defaultStudyForm } from "~/lib/study-form/form-state.ts";
import { formToSpec } from "~/lib/study-form/form-to-spec.ts";
import { isObject } from "~/lib/study-form/values.ts";
import { useTeamScope } from "~/lib/team.tsx";
import { useTRPC } from "~/lib/trpc.tsx";
import { ArchitectureCard } from "./architecture-card.tsx";
import { BudgetCard } from "./budget-card.tsx";
import { ConstraintsCard } from "./constraints-card.tsx";
import { CreateCard } from "./create-card.tsx";
import { FinetuneCard } from "./finetune-card.tsx";
import { LrRangeTestPanel } from "./lr-range-test.tsx";
import { MoreSettingsCard } from "./more-settings-card.tsx";
import styles from "./new-study.module.css";
import { ObjectivesCard } from "./objectives-card.tsx";
import { SearchCard } from "./search-card.tsx";
import { SpecCard } from "./spec-card.tsx";
import { findDataset, StudyCard } from "./study-card.tsx";
import { SyncNotice } from "./sync-notice.tsx";
import { TrainingCard } from "./training-card.tsx";
import { useSpecSync } from "./use-spec-sync.ts";
import { useSpecValidation } from "./use-spec-validation.ts";
import { WandbImportPanel } from "./wandb-import.tsx";

const DEFAULT_NAME = defaultStudyForm().name;

export function NewStudyPage({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const { team, canEdit } = useTeamScope(project.data?.teamId);
  const datasets = useQuery(trpc.datasets.list.queryOptions({ projectId }));
  const studies = useQuery(trpc.studies.list.queryOptions({ projectId }));
  const specSync = useSpecSync();
  const { form, sync, textSpec, updateForm } = specSync;
  const listsLoaded =
    datasets.data !== undefined && (studies.data !== undefined || studies.isError);
  const validation = useSpecValidation(projectId, specSync.text, listsLoaded);

  // The project's first dataset and a study name not yet taken, once both are known.
  const initialised = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, when the lists arrive.
  useEffect(() => {
    if (initialised.current || !listsLoaded || !datasets.data) return;
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

  const written = isObject(textSpec) ? textSpec : {};
  const specName = "name" in written ? String(written.name) : undefined;
  const nameTaken =
    specName !== undefined && (studies.data ?? []).some((study) => study.name === specName);

  const applyLr = (bounds: { low: number; high: number }) => {
    if (sync.kind === "in-sync") updateForm(applyLrBounds(form, bounds));
    else if (textSpec !== undefined) specSync.writeSpec(specWithLrBounds(textSpec, bounds));
  };
  const importSweep = (imported: WandbImport) =>
    specSync.writeSpec(mergeWandbImport(textSpec ?? formToSpec(form), imported.spec));

  if (project.error) {
    return <PageError title="New study" error={project.error} what="project" />;
  }

  const teamLoaded = team !== undefined;
  const locked = !canEdit || sync.kind !== "in-sync";
  const datasetList = datasets.data ?? [];
  const cardProps = { form, onChange: updateForm, fieldErrors: validation.fieldErrors };

  return (
    <>
      <PageHeader
        title="New study"
        subtitle="Choose what to tune and how; the spec beside the form is what the study runs."
        crumbs={[...projectCrumbs(project.data, team), { label: "New study" }]}
      />
      {teamLoaded && !canEdit && (
        <p className={`notice ${styles.viewerNote}`} data-testid="viewer-note">
          You are a viewer in {team.name}: you can read this page and check a spec, but only members
          can create studies or run an LR range test.
        </p>
      )}
      <div className={styles.layout}>
        <div className="stack">
          <SyncNotice sync={sync} form={form} canEdit={canEdit} onUseForm={updateForm} />
          {canEdit && (
            <details className="card" data-testid="wandb-section">
              <summary className={styles.summary}>Import a W&amp;B sweep config</summary>
              <div className={styles.detailsBody}>
                <WandbImportPanel onImport={importSweep} />
              </div>
            </details>
          )}

          <fieldset className={styles.fieldset} disabled={locked} data-testid="study-form">
            <legend className="visually-hidden">Study settings</legend>
            <StudyCard
              {...cardProps}
              nameTaken={nameTaken}
              datasets={datasetList}
              datasetsLoading={datasets.isPending}
              projectId={projectId}
            />
            <FinetuneCard {...cardProps} projectId={projectId} />
            <ObjectivesCard {...cardProps} />
            <TrainingCard {...cardProps} />
            <ArchitectureCard
              {...cardProps}
              dataset={findDataset(datasetList, form.dataset)}
              projectId={projectId}
            />
            <SearchCard {...cardProps} />
            <ConstraintsCard {...cardProps} />
            <BudgetCard {...cardProps} />
            <MoreSettingsCard {...cardProps} />
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
                model={lrTestModel(textSpec)}
                seed={typeof written.seed === "number" ? written.seed : undefined}
                canEdit={canEdit}
                onApply={applyLr}
              />
            )}
          </Card>
        </div>

        <div className={styles.side}>
          <SpecCard
            text={specSync.text}
            format={specSync.format}
            validation={validation}
            readOnly={!canEdit && teamLoaded}
            onChange={specSync.updateText}
            onFormat={specSync.changeFormat}
          />
          {canEdit && (
            <CreateCard
              projectId={projectId}
              text={specSync.text}
              valid={validation.valid}
              showFixNote={!validation.valid && !validation.empty && validation.current}
              takenName={nameTaken ? specName : undefined}
            />
          )}
        </div>
      </div>
    </>
  );
}
