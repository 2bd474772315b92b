"use client";
// The model's shape, with the sequence length the dataset's samples suggest and what it would cost.
import { useQuery } from "@tanstack/react-query";
import { CostNote } from "~/components/cost-note.tsx";
import { Card } from "~/components/ui.tsx";
import { changeCost } from "~/lib/cost-advice.ts";
import { settingsOf } from "~/lib/study-form/catalogue.ts";
import { costliestTrial, formBudget, formWallTimeMinutes } from "~/lib/study-form/form-cost.ts";
import type { ParamRow } from "~/lib/study-form/form-state.ts";
import { decidedByModel } from "~/lib/study-form/form-to-spec.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { pricingFor, useRunnerSpeed } from "~/lib/use-pricing.ts";
import { findModel } from "./finetune-card.tsx";
import styles from "./new-study.module.css";
import { type CardProps, SettingRow } from "./setting-row.tsx";
import type { Dataset } from "./study-card.tsx";

export function ArchitectureCard(
  props: CardProps & { dataset: Dataset | undefined; projectId: string },
) {
  const { dataset, form, onChange, projectId } = props;
  const trpc = useTRPC();
  const models = useQuery({
    ...trpc.models.list.queryOptions({ projectId }),
    enabled: form.model !== "",
  });
  const model = form.model === "" ? undefined : findModel(models.data ?? [], form.model);
  // With a model, the samples are measured in its tokens, as its trials read them.
  const recommended = useQuery({
    ...trpc.datasets.recommendSequenceLength.queryOptions({
      datasetId: dataset?.id ?? "",
      ...(model && { model: model.id }),
    }),
    enabled: dataset !== undefined && (form.model === "" || models.data !== undefined),
    staleTime: 5 * 60_000,
  });
  // A model reads at most its context: longer windows of the dataset cannot be trained.
  const context = model?.contextLength;
  const fromData = recommended.data?.length;
  const length =
    fromData === undefined || context === undefined ? fromData : Math.min(fromData, context);
  const pricing = pricingFor(dataset, useRunnerSpeed(projectId));
  const cost =
    length === undefined || !pricing
      ? undefined
      : changeCost({
          settings: costliestTrial(form),
          change: { seq_len: length },
          pricing,
          budget: formBudget(form),
          wallTimeMinutes: formWallTimeMinutes(form),
        });
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
        {length !== fromData
          ? `(the model's context; the data suggests ${fromData})`
          : recommended.data.basis === "data"
            ? `(covers 95% of samples; ${Math.round(recommended.data.truncationRate * 100)}% get cut)`
            : `(${recommended.data.reason})`}{" "}
        <button type="button" className="button small secondary" onClick={applyLength}>
          {seqLen.mode === "choices" ? `Add ${length}` : `Use ${length}`}
        </button>
        <CostNote advice={cost} />
      </span>
    ) : dataset && recommended.isPending ? (
      "Measuring the dataset's samples…"
    ) : undefined;
  const rows = settingsOf("architecture").filter((setting) => !decidedByModel(form, setting));
  return (
    <Card title="Architecture" testId="architecture">
      {form.model !== "" && (
        <p className="muted" data-testid="architecture-from-model">
          The model {form.model} decides the architecture: its depth, width, heads, attention,
          normalisation and tokenizer. Trials read windows of the sequence length below within its
          context{context === undefined ? "" : ` of ${context} tokens`}.
        </p>
      )}
      <div className={styles.rows}>
        {rows.map((setting) => (
          <SettingRow
            key={setting.name}
            {...props}
            name={setting.name}
            note={setting.name === "seq_len" ? note : undefined}
          />
        ))}
      </div>
    </Card>
  );
}
