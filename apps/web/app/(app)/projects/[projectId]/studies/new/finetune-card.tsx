"use client";
// Where trials start: from scratch, or from one of the project's models (uploaded or promoted), and
// then what trains: every weight, LoRA adapters or the last blocks, each setting searchable.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card } from "~/components/ui.tsx";
import { formatCount } from "~/lib/format.ts";
import { settingsOf } from "~/lib/study-form/catalogue.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import styles from "./new-study.module.css";
import { type CardProps, Errors, SettingRow } from "./setting-row.tsx";

type Model = RouterOutputs["models"]["list"][number];

/** The model a spec names, by name or id. */
export function findModel(models: readonly Model[], reference: string): Model | undefined {
  return models.find((model) => model.name === reference || model.id === reference);
}

export function FinetuneCard(props: CardProps & { projectId: string }) {
  const { form, onChange, fieldErrors, projectId } = props;
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  const ready = (models.data ?? []).filter((model) => model.status === "ready");
  const known = findModel(ready, form.model) !== undefined;
  const settings = settingsOf("finetune");
  // A spec may set them without a model (LoRA on a random base): the form then shows them too.
  const shown =
    form.model !== "" ||
    settings.some((setting) => form.settings[setting.name]?.mode !== "default");
  return (
    <Card title="Starting point" testId="finetune">
      <label className="field">
        <span>Start from</span>
        <select
          data-testid="study-model"
          value={form.model}
          onChange={(event) => onChange({ ...form, model: event.target.value })}
        >
          <option value="">Random weights (train from scratch)</option>
          {form.model !== "" && !known && (
            <option value={form.model}>{models.isPending ? "Loading…" : form.model}</option>
          )}
          {ready.map((model) => (
            <option key={model.id} value={model.name}>
              {model.name} ({model.architecture}, {formatCount(model.parameterCount)} parameters)
            </option>
          ))}
        </select>
        <Errors messages={fieldErrors.get("model")} />
      </label>
      {form.model === "" && (
        <p className="muted">
          {ready.length === 0 ? (
            <>
              The project has no models yet:{" "}
              <Link href={`/projects/${projectId}`}>upload a Hugging Face folder</Link> or promote a
              trial&apos;s checkpoint to fine-tune it here.
            </>
          ) : (
            "Choose a model to fine-tune it: its architecture and tokenizer become the trials'."
          )}
        </p>
      )}
      {shown && (
        <div className={`${styles.rows} ${styles.rowsBelow}`}>
          {settings.map((setting) => (
            <SettingRow key={setting.name} {...props} name={setting.name} />
          ))}
        </div>
      )}
    </Card>
  );
}
