"use client";
// The sampler and the pruner, each with its own settings.
import Link from "next/link";
import { Card } from "~/components/ui.tsx";
import { REFERENCE_SECTIONS } from "~/lib/spec-reference-links.ts";
import {
  PRUNERS,
  type PrunerKind,
  prunersFor,
  SAMPLERS,
  type SamplerKind,
  samplersFor,
} from "~/lib/study-form/catalogue.ts";
import styles from "./new-study.module.css";
import { OptionFields } from "./option-fields.tsx";
import { type CardProps, Errors } from "./setting-row.tsx";

export function SearchCard({ form, onChange, fieldErrors }: CardProps) {
  const count = form.objectives.length;
  const samplers = samplersFor(count);
  const pruners = prunersFor(count);
  return (
    <Card
      title="Sampler and pruner"
      testId="search"
      actions={
        <Link href={REFERENCE_SECTIONS.sampler} target="_blank">
          Samplers and pruners in the reference
        </Link>
      }
    >
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
