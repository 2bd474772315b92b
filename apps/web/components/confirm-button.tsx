"use client";
// A button for an action that cannot be undone: the first press asks, in place, and only the
// second does it. Escape or Cancel backs out.
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";

export function ConfirmButton({
  children,
  question,
  confirmLabel,
  onConfirm,
  pending = false,
  danger = true,
  small = false,
}: {
  children: ReactNode;
  /** What pressing again will do, e.g. "Remove Ada from the team?" */
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  danger?: boolean;
  small?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  // The question replaces the button that was just pressed: keep the keyboard where it was.
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  const size = small ? " small" : "";
  if (!asking) {
    return (
      <button
        type="button"
        className={`button ${danger ? "danger" : "secondary"}${size}`}
        onClick={() => setAsking(true)}
        disabled={pending}
      >
        {children}
      </button>
    );
  }
  const backOutOnEscape = (event: KeyboardEvent) => {
    if (event.key === "Escape") setAsking(false);
  };
  return (
    <span className="row">
      <span className="muted" id={questionId}>
        {question}
      </span>
      <button
        type="button"
        className={`button ${danger ? "danger" : ""}${size}`}
        ref={confirm}
        aria-describedby={questionId}
        onKeyDown={backOutOnEscape}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        disabled={pending}
      >
        {confirmLabel}
      </button>
      <button
        type="button"
        className={`button ghost${size}`}
        onClick={() => setAsking(false)}
        onKeyDown={backOutOnEscape}
      >
        Cancel
      </button>
    </span>
  );
}
