"use client";
// Copies a text (a link, a secret) to the clipboard and says so; where the browser refuses, it says
// to copy by hand from the field beside it.
import { useEffect, useState } from "react";
import styles from "./copy-button.module.css";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="button secondary small"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setState("copied"),
          () => setState("failed"),
        )
      }
    >
      <span aria-live="polite">
        {state === "copied" ? "Copied" : state === "failed" ? "Select and copy it" : label}
      </span>
    </button>
  );
}

/** A read-only field holding `value` whole (selected on focus) with a copy button beside it. */
export function CopyField({
  value,
  label,
  copyLabel = "Copy",
  testId,
}: {
  value: string;
  /** The field's accessible name, e.g. "Invitation link". */
  label: string;
  copyLabel?: string;
  testId?: string;
}) {
  return (
    <div className="row">
      <input
        readOnly
        value={value}
        aria-label={label}
        className={`code ${styles.value}`}
        onFocus={(event) => event.currentTarget.select()}
        data-testid={testId}
      />
      <CopyButton text={value} label={copyLabel} />
    </div>
  );
}
