"use client";
// The spec as text: a monospace textarea with line numbers (lines with a problem marked), and the
// validation's problems, each of which moves the caret to its line.
import { type CSSProperties, forwardRef, useImperativeHandle, useMemo, useRef } from "react";
import { offsetOfLine, type SpecErrorLike } from "~/lib/study-form/spec-text.ts";
import styles from "./new-study.module.css";

export interface SpecEditorHandle {
  goToLine: (line: number) => void;
}

export const SpecEditor = forwardRef<
  SpecEditorHandle,
  {
    value: string;
    onChange: (value: string) => void;
    errorLines: ReadonlySet<number>;
    invalid: boolean;
    readOnly: boolean;
  }
>(function SpecEditor({ value, onChange, errorLines, invalid, readOnly }, ref) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = useMemo(() => value.split("\n").length, [value]);

  useImperativeHandle(ref, () => ({
    goToLine(line: number) {
      const element = textarea.current;
      if (!element) return;
      const start = offsetOfLine(element.value, line);
      const end = element.value.indexOf("\n", start);
      element.focus();
      element.setSelectionRange(start, end < 0 ? element.value.length : end);
      // Roughly centre the line: the line height is the textarea's computed one.
      const lineHeight = Number.parseFloat(getComputedStyle(element).lineHeight) || 18;
      element.scrollTop = Math.max(0, (line - 1) * lineHeight - element.clientHeight / 2);
    },
  }));

  return (
    <div className={styles.editor}>
      {/* Out of the flow, so the textarea alone sets the height; scrolled along with it. */}
      <div
        className={styles.gutter}
        ref={gutter}
        aria-hidden="true"
        style={{ "--digits": String(lineCount).length } as CSSProperties}
      >
        <pre>
          {Array.from({ length: lineCount }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a line number is its position.
            <span key={i} className={errorLines.has(i + 1) ? styles.errorLine : undefined}>
              {i + 1}
            </span>
          ))}
        </pre>
      </div>
      <textarea
        ref={textarea}
        className={styles.editorText}
        data-testid="spec-editor"
        aria-label="Study spec (YAML or JSON)"
        aria-invalid={invalid}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        wrap="off"
        readOnly={readOnly}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onScroll={(event) => {
          if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
        }}
      />
    </div>
  );
});

/** Every problem with its line and field; clicking one selects its line in the editor. */
export function SpecProblems({
  errors,
  stale,
  onGoTo,
}: {
  errors: readonly SpecErrorLike[];
  /** The text changed since: these are the last check's problems, shown until the next arrives. */
  stale: boolean;
  onGoTo: (line: number) => void;
}) {
  return (
    <ul
      className={styles.problems}
      data-testid="spec-errors"
      data-stale={stale}
      style={stale ? { opacity: 0.55 } : undefined}
    >
      {errors.map((error) => (
        <li key={`${error.path}|${error.line ?? ""}|${error.message}`}>
          <button
            type="button"
            className={styles.problem}
            disabled={error.line === undefined}
            onClick={() => error.line !== undefined && onGoTo(error.line)}
          >
            {error.line !== undefined && <>line {error.line} · </>}
            {error.path ? <code>{error.path}</code> : <code>(spec)</code>}: {error.message}
          </button>
        </li>
      ))}
    </ul>
  );
}
