"use client";
// Why the form does not show the text's spec, and the way back to a form that does.
import type { StudyForm } from "~/lib/study-form/form-state.ts";
import styles from "./new-study.module.css";
import type { Sync } from "./use-spec-sync.ts";

export function SyncNotice({
  sync,
  form,
  canEdit,
  onUseForm,
}: {
  sync: Sync;
  /** The form as last in step with the text. */
  form: StudyForm;
  canEdit: boolean;
  onUseForm: (form: StudyForm) => void;
}) {
  if (sync.kind === "editor-only") {
    return (
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
            onClick={() => onUseForm(sync.nearest)}
          >
            Edit in the form (drops them)
          </button>
        )}
      </div>
    );
  }
  if (sync.kind === "unparseable") {
    return (
      <div className={styles.warn} role="status" data-testid="unparseable-note">
        The spec text does not parse
        {sync.line !== undefined ? ` (line ${sync.line})` : ""}: {sync.message}. The form shows the
        last spec that did.{" "}
        {canEdit && (
          <button type="button" className="button small secondary" onClick={() => onUseForm(form)}>
            Replace the text with the form's spec
          </button>
        )}
      </div>
    );
  }
  return null;
}
