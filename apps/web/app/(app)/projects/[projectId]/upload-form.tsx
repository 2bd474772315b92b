"use client";
// Uploading a dataset file: its size checked before it is read, what its records hold (text
// samples, prompt/completion pairs or chats), a CSV file's columns for them, and the task. The
// input is checked with the procedure's own schema before it is sent.
import { datasetUploadInput, TASKS_OF_FORMAT } from "@attune/api/dataset-inputs";
import { CsvError } from "@attune/core/csv";
import type { DatasetTask } from "@attune/db/dataset-kinds";
import { DATASET_MAX_BYTES } from "@attune/db/limits";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { ErrorNote } from "~/components/ui.tsx";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import {
  type CsvColumns,
  csvHeader,
  datasetNameFromFile,
  formatBytes,
  guessColumns,
  type RecordKind,
  sizeProblem,
  storedFormat,
  UPLOAD_ACCEPT,
  uploadFormat,
  uploadKind,
} from "~/lib/upload.ts";
import { CsvColumnsFields } from "./csv-columns-fields.tsx";
import { type Tokenizer, TokenizerField } from "./tokenizer-field.tsx";

type AddedDataset = RouterOutputs["datasets"]["upload"];

const RECORDS: { value: RecordKind; label: string }[] = [
  { value: "samples", label: "Text samples (and labels)" },
  { value: "prompt-completion", label: "Prompt and completion pairs" },
  { value: "chat", label: "Chat conversations" },
];

const TASK_LABELS: Record<DatasetTask, string> = {
  "language-modelling": "Language modelling",
  classification: "Classification",
  instruction: "Instruction (prompt → completion)",
  dialogue: "Dialogue",
};

function readAsText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.readAsText(file, "utf-8");
  });
}

export function UploadForm({
  projectId,
  onAdded,
}: {
  projectId: string;
  onAdded: (dataset: AddedDataset) => Promise<void>;
}) {
  const trpc = useTRPC();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [tokenizer, setTokenizer] = useState<Tokenizer>("char");
  const [records, setRecords] = useState<RecordKind>("samples");
  const [task, setTask] = useState<DatasetTask | "">("");
  const [header, setHeader] = useState<string[] | null>(null);
  const [columns, setColumns] = useState<CsvColumns | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const upload = useMutation(
    trpc.datasets.upload.mutationOptions({
      onSuccess: async (dataset) => {
        setFile(null);
        setName("");
        await onAdded(dataset);
      },
    }),
  );
  const kind = file ? uploadKind(file.name) : undefined;
  const tasks = kind ? TASKS_OF_FORMAT[storedFormat(kind, records)] : [];

  async function choose(chosen: File | null) {
    upload.reset();
    setFile(chosen);
    setProblem(null);
    setHeader(null);
    setTask("");
    if (!chosen) return;
    setName(datasetNameFromFile(chosen.name));
    const chosenKind = uploadKind(chosen.name);
    if (!chosenKind) return setProblem("Choose a .txt, .jsonl or .csv file.");
    const tooBig = sizeProblem(chosen.size);
    if (tooBig) return setProblem(tooBig);
    if (chosenKind !== "csv") return;
    try {
      const names = csvHeader(await readAsText(chosen));
      setHeader(names);
      setColumns(guessColumns(names, records));
    } catch (error) {
      setProblem(`The CSV file cannot be read: ${(error as Error).message}.`);
    }
  }

  function chooseRecords(chosen: RecordKind) {
    setRecords(chosen);
    setTask("");
    if (header) setColumns(guessColumns(header, chosen));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file || !kind || problem) return;
    setReading(true);
    try {
      const parsed = datasetUploadInput.safeParse({
        projectId,
        name: name.trim(),
        format: uploadFormat(kind, records),
        columns: kind === "csv" ? (columns ?? undefined) : undefined,
        task: task || undefined,
        tokenizer,
        content: await readAsText(file),
        fileName: file.name,
      });
      if (parsed.success) upload.mutate(parsed.data);
      else {
        const [issue] = parsed.error.issues;
        setProblem(`${issue?.path.join(".") || "input"}: ${issue?.message}`);
      }
    } catch (error) {
      setProblem(
        error instanceof CsvError
          ? `The CSV file cannot be read: ${error.message}.`
          : `The file cannot be read: ${(error as Error).message}`,
      );
    } finally {
      setReading(false);
    }
  }

  return (
    <form className="stack" onSubmit={submit}>
      <div className="form-grid">
        <label className="field">
          <span>File</span>
          <input
            type="file"
            accept={UPLOAD_ACCEPT}
            onChange={(event) => choose(event.target.files?.[0] ?? null)}
            aria-describedby="file-hint"
            required
          />
          <span className="hint" id="file-hint">
            Plain text (one document), JSONL (one record a line) or CSV with a header; up to{" "}
            {formatBytes(DATASET_MAX_BYTES)}.
          </span>
        </label>
        <TextField label="Dataset name" value={name} onChange={setName} required maxLength={100} />
        <TokenizerField value={tokenizer} onChange={setTokenizer} />
        {kind && kind !== "text" && (
          <label className="field">
            <span>Records hold</span>
            <select
              value={records}
              onChange={(event) => chooseRecords(event.target.value as RecordKind)}
            >
              {RECORDS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === "csv" && header && columns && (
          <CsvColumnsFields header={header} columns={columns} onChange={setColumns} />
        )}
        {kind && (
          <label className="field">
            <span>Task</span>
            <select
              value={task}
              onChange={(event) => setTask(event.target.value as DatasetTask | "")}
            >
              <option value="">By the data: {tasks.map((t) => TASK_LABELS[t]).join(" or ")}</option>
              {tasks.map((option) => (
                <option key={option} value={option}>
                  {TASK_LABELS[option]}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {upload.error && <ErrorNote error={upload.error} />}
      <div className="row">
        <SubmitButton
          pending={reading || upload.isPending}
          pendingLabel={reading ? "Reading…" : "Uploading and measuring…"}
          disabled={!file || !!problem || !name.trim()}
        >
          Upload dataset
        </SubmitButton>
        {file && !problem && (
          <span className="muted">
            {file.name}, {formatBytes(file.size)}
          </span>
        )}
      </div>
    </form>
  );
}
