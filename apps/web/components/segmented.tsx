// One choice among a few, as a row of pressed/unpressed buttons named as a group by `label`.
import styles from "./segmented.module.css";

export function Segmented<T extends string>({
  value,
  options,
  onChange,
  label,
  testId,
  className,
}: {
  value: T;
  options: readonly { value: T; label: string; title?: string }[];
  onChange: (value: T) => void;
  label: string;
  testId?: string;
  className?: string;
}) {
  return (
    <fieldset className={`segmented ${styles.group} ${className ?? ""}`} data-testid={testId}>
      <legend className="visually-hidden">{label}</legend>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          aria-pressed={option.value === value}
          title={option.title}
          onClick={() => onChange(option.value)}
          data-value={option.value}
        >
          {option.label}
        </button>
      ))}
    </fieldset>
  );
}
