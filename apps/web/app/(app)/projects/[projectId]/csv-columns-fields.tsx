// Which column of a CSV file each field is read from: one select per field of the chosen records.
import type { CsvColumns } from "@attune/api/dataset-inputs";

/** Each field with its label, and whether a file may go without it. */
const FIELDS: Record<string, { label: string; optional?: boolean }> = {
  text: { label: "Text column" },
  label: { label: "Label column", optional: true },
  prompt: { label: "Prompt column" },
  completion: { label: "Completion column" },
  user: { label: "User column" },
  assistant: { label: "Assistant column" },
  system: { label: "System column", optional: true },
};

/** The fields of each kind of record, in the order they are shown. */
const FIELDS_OF: Record<string, string[]> = {
  text: ["text", "label"],
  prompt: ["prompt", "completion"],
  user: ["system", "user", "assistant"],
};

export function CsvColumnsFields({
  header,
  columns,
  onChange,
}: {
  header: readonly string[];
  columns: CsvColumns;
  onChange: (columns: CsvColumns) => void;
}) {
  const kind = Object.keys(FIELDS_OF).find((field) => field in columns) ?? "text";
  const chosen = columns as Record<string, string | undefined>;
  const choose = (field: string, column: string) => {
    const { [field]: _previous, ...others } = chosen;
    onChange((column === "" ? others : { ...others, [field]: column }) as CsvColumns);
  };
  return (
    <>
      {(FIELDS_OF[kind] ?? []).map((field) => {
        const { label, optional } = FIELDS[field] ?? { label: field };
        return (
          <label className="field" key={field}>
            <span>{label}</span>
            <select
              value={chosen[field] ?? ""}
              onChange={(event) => choose(field, event.target.value)}
            >
              {optional && <option value="">none</option>}
              {header.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        );
      })}
    </>
  );
}
