// The labelled fields and the submit button that the app's forms are made of.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
  useId,
} from "react";

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange">;

/** A labelled text input; `hint` is shown under it and read as its description, `children` after it. */
export function TextField({
  label,
  value,
  onChange,
  hint,
  children,
  ...input
}: InputProps & {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  children?: ReactNode;
}) {
  const hintId = useId();
  return (
    <label className="field">
      <span>{label}</span>
      <input
        {...input}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={hint ? hintId : input["aria-describedby"]}
      />
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
      {children}
    </label>
  );
}

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "value" | "onChange">;

export function TextAreaField({
  label,
  value,
  onChange,
  ...textarea
}: TextAreaProps & { label: ReactNode; value: string; onChange: (value: string) => void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <textarea {...textarea} value={value} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}

/** A form's main button: disabled while its request runs, and saying so. */
export function SubmitButton({
  pending,
  pendingLabel,
  disabled = false,
  children,
}: {
  pending: boolean;
  pendingLabel: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button type="submit" className="button" disabled={pending || disabled}>
      {pending ? pendingLabel : children}
    </button>
  );
}
