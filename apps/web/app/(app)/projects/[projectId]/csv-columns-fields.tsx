// Which column of a CSV file each field is read from: one select per field of the chosen records.
import type { CsvColumns } from "@attune/api/dataset-inputs";

/** Each field with its label, and whether a file may go without it. */
const FIELDS: Record<string, { label: string; optional?: boolean }> = {
  text: { label: "Text column" },
  label: { label: "Label column", optional: true },
  prompt: { label: "Prompt column" },
  completion: { label: "Completion column" },
  messages: { label: "Messages column (JSON arrays)" },
  user: { label: "User column" },
  assistant: { label: "Assistant column" },
  system: { label: "System column", optional: true },
};

/** The fields of each kind of record, in the order they are shown. */
const FIELDS_OF: Record<string, string[]> = {
  text: ["text", "label"],
  prompt: ["prompt", "completion"],
  messages: ["messages"],
  user: ["system", "user", "assistant"],
};

type ChatLayout = "messages" | "user";

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
  // A chat is a row's JSON array of messages, or one exchange in a row's columns.
  const layOut = (layout: ChatLayout) =>
    onChange(
      layout === "messages"
        ? { messages: header[0] ?? "" }
        : { user: header[0] ?? "", assistant: header[1] ?? header[0] ?? "" },
    );
  return (
    <>
      {(kind === "messages" || kind === "user") && (
        <label className="field">
          <span>Each row holds</span>
          <select value={kind} onChange={(event) => layOut(event.target.value as ChatLayout)}>
            <option value="messages">a conversation: its messages as a JSON array</option>
            <option value="user">one exchange: user and assistant columns</option>
          </select>
        </label>
      )}
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
