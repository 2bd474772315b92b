"use client";
// The study's constraints, one comparison per line: those of settings only keep every trial within
// them; those of measured values (param_count, tokens_per_s…) make trials that break them
// infeasible, never the best.
import Link from "next/link";
import { Card } from "~/components/ui.tsx";
import { REFERENCE_SECTIONS } from "~/lib/spec-reference-links.ts";
import styles from "./new-study.module.css";
import { type CardProps, Errors } from "./setting-row.tsx";

export function ConstraintsCard({ form, onChange, fieldErrors }: CardProps) {
  const setConstraints = (constraints: string[]) => onChange({ ...form, constraints });
  return (
    <Card
      title="Constraints"
      testId="constraints"
      actions={
        <Link href={REFERENCE_SECTIONS.constraints} target="_blank">
          Constraints in the reference
        </Link>
      }
    >
      <p className={`muted ${styles.smallNote}`}>
        One comparison each, such as <code>d_model % heads == 0</code> or{" "}
        <code>param_count &lt;= 20e6</code>. Settings only: no trial breaks it. A measured value
        (param_count, flops_per_token, tokens_per_s): trials that break it never count as best.
      </p>
      {form.constraints.map((constraint, index) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: constraints are edited in place by position.
          key={index}
          className={styles.listRow}
          data-testid={`constraint-${index}`}
        >
          <input
            type="text"
            className={styles.constraintInput}
            aria-label={`Constraint ${index + 1}`}
            value={constraint}
            placeholder="batch_size * seq_len <= 65536"
            spellCheck={false}
            onChange={(event) =>
              setConstraints(
                form.constraints.map((text, i) => (i === index ? event.target.value : text)),
              )
            }
          />
          <button
            type="button"
            className="button small ghost"
            aria-label={`Remove constraint ${index + 1}`}
            onClick={() => setConstraints(form.constraints.filter((_, i) => i !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button small secondary"
        data-testid="add-constraint"
        onClick={() => setConstraints([...form.constraints, ""])}
      >
        Add a constraint
      </button>
      <Errors messages={fieldErrors.get("constraints")} />
    </Card>
  );
}
