"use client";
// The spec as YAML or JSON, with what validation found in it.
import Link from "next/link";
import { useRef } from "react";
import { Segmented } from "~/components/segmented.tsx";
import { Card, ErrorNote } from "~/components/ui.tsx";
import type { SpecFormat } from "~/lib/study-form/spec-text.ts";
import styles from "./new-study.module.css";
import { SpecEditor, type SpecEditorHandle, SpecProblems } from "./spec-editor.tsx";
import type { useSpecValidation } from "./use-spec-validation.ts";

const FORMATS = [
  { value: "yaml" as const, label: "YAML" },
  { value: "json" as const, label: "JSON" },
];

export function SpecCard({
  text,
  format,
  validation,
  readOnly,
  onChange,
  onFormat,
}: {
  text: string;
  format: SpecFormat;
  validation: ReturnType<typeof useSpecValidation>;
  readOnly: boolean;
  onChange: (text: string) => void;
  onFormat: (format: SpecFormat) => void;
}) {
  const editor = useRef<SpecEditorHandle>(null);
  const { empty, current, valid, errors } = validation;
  return (
    <Card
      title="Spec"
      actions={
        <>
          <Link href="/reference" target="_blank">
            Reference
          </Link>
          <Segmented
            label="Spec format"
            value={format}
            options={FORMATS}
            testId="spec-format"
            onChange={onFormat}
          />
        </>
      }
    >
      <SpecEditor
        ref={editor}
        value={text}
        onChange={onChange}
        errorLines={validation.errorLines}
        invalid={current && !valid}
        readOnly={readOnly}
      />
      <div
        className={styles.specStatus}
        aria-live="polite"
        aria-busy={!empty && !current}
        data-testid="spec-status"
      >
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
  );
}
