"use client";
import { CsvError } from "@attune/core/csv";
import { DATASET_MAX_BYTES } from "@attune/db/limits";
// Adding a dataset to a project: a file read in the browser (its size checked first, CSV turned into
// JSONL) or one of the built-in corpora, each measured with the chosen tokenizer.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Segmented } from "~/components/segmented.tsx";
import { ErrorNote, Loading } from "~/components/ui.tsx";
import { plural } from "~/lib/format.ts";
import { type RouterInputs, type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import {
  csvToJsonl,
  datasetNameFromFile,
  formatBytes,
  sizeProblem,
  UPLOAD_ACCEPT,
  uploadKind,
  utf8Length,
} from "~/lib/upload.ts";
import styles from "./project.module.css";

type Tokenizer = RouterInputs["datasets"]["upload"]["tokenizer"];
type Corpus = RouterOutputs["datasets"]["corpora"][number];
type AddedDataset = RouterOutputs["datasets"]["upload"];

const TOKENIZERS: { value: Tokenizer; label: string }[] = [
  { value: "char", label: "char: one token per character" },
  { value: "byte", label: "byte: 256 byte values" },
  { value: "gpt2", label: "gpt2: GPT-2 BPE, 50,257 tokens" },
];

type Source = "file" | "corpus";

const SOURCES: { value: Source; label: string }[] = [
  { value: "file", label: "Upload a file" },
  { value: "corpus", label: "Built-in corpus" },
];

export function AddDataset({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [source, setSource] = useState<Source>("file");
  const [added, setAdded] = useState<AddedDataset | null>(null);
  const onAdded = async (dataset: AddedDataset) => {
    setAdded(dataset);
    await queryClient.invalidateQueries(trpc.datasets.list.queryFilter({ projectId }));
  };
  return (
    <section className={styles.addDataset} aria-labelledby="add-dataset-title">
      <div className="card-head">
        <h3 id="add-dataset-title">Add a dataset</h3>
        <Segmented label="Source" value={source} options={SOURCES} onChange={setSource} />
      </div>
      {added && (
        <p className="notice" role="status">
          Added <Link href={`/projects/${projectId}/datasets/${added.id}`}>{added.name}</Link>:{" "}
          {plural(added.statistics?.samples ?? 0, "sample")},{" "}
          {plural(added.statistics?.tokens ?? 0, "token")}.
        </p>
      )}
      {source === "file" ? (
        <UploadForm projectId={projectId} onAdded={onAdded} />
      ) : (
        <CorpusForm projectId={projectId} onAdded={onAdded} />
      )}
    </section>
  );
}

function TokenizerField({
  value,
  onChange,
}: {
  value: Tokenizer;
  onChange: (tokenizer: Tokenizer) => void;
}) {
  return (
    <label className="field">
      <span>Tokenizer</span>
      <select value={value} onChange={(event) => onChange(event.target.value as Tokenizer)}>
        {TOKENIZERS.map((tokenizer) => (
          <option key={tokenizer.value} value={tokenizer.value}>
            {tokenizer.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function readAsText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.readAsText(file, "utf-8");
  });
}

/** What both ways of adding a dataset are given. */
interface AddFormProps {
  projectId: string;
  onAdded: (dataset: AddedDataset) => Promise<void>;
}

function UploadForm({ projectId, onAdded }: AddFormProps) {
  const trpc = useTRPC();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [tokenizer, setTokenizer] = useState<Tokenizer>("char");
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

  function choose(chosen: File | null) {
    upload.reset();
    setFile(chosen);
    setProblem(null);
    if (!chosen) return;
    if (!uploadKind(chosen.name)) {
      setProblem("Choose a .txt, .jsonl or .csv file.");
    } else {
      setProblem(sizeProblem(chosen.size) ?? null);
    }
    setName(datasetNameFromFile(chosen.name));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const kind = file && uploadKind(file.name);
    if (!file || !kind || problem) return;
    setReading(true);
    try {
      const text = await readAsText(file);
      const { format, content } =
        kind === "csv"
          ? { format: "jsonl" as const, content: csvToJsonl(text).jsonl }
          : { format: kind, content: text };
      if (utf8Length(content) > DATASET_MAX_BYTES) {
        setProblem(`As JSONL the file is over ${formatBytes(DATASET_MAX_BYTES)}.`);
        return;
      }
      upload.mutate({
        projectId,
        name: name.trim(),
        format,
        tokenizer,
        content,
        fileName: file.name,
      });
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
            Plain text (one document), JSONL with a "text" field (and optionally "label"), or CSV
            with a text column; up to {formatBytes(DATASET_MAX_BYTES)}.
          </span>
        </label>
        <TextField label="Dataset name" value={name} onChange={setName} required maxLength={100} />
        <TokenizerField value={tokenizer} onChange={setTokenizer} />
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

function CorpusForm({ projectId, onAdded }: AddFormProps) {
  const trpc = useTRPC();
  const corpora = useQuery(trpc.datasets.corpora.queryOptions());
  const [corpusName, setCorpusName] = useState<Corpus["name"]>("moby-dick");
  const [tokenizer, setTokenizer] = useState<Tokenizer>("char");
  const [name, setName] = useState("");
  const add = useMutation(
    trpc.datasets.addBuiltin.mutationOptions({
      onSuccess: async (dataset) => {
        setName("");
        await onAdded(dataset);
      },
    }),
  );
  if (corpora.isPending) return <Loading label="Loading the built-in corpora…" />;
  if (corpora.error) return <ErrorNote error={corpora.error} />;
  const corpus = corpora.data.find((candidate) => candidate.name === corpusName);

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ projectId, corpus: corpusName, tokenizer, name: name.trim() || undefined });
  }

  return (
    <form className="stack" onSubmit={submit}>
      <div className="form-grid">
        <label className="field">
          <span>Corpus</span>
          <select
            value={corpusName}
            onChange={(event) => setCorpusName(event.target.value as Corpus["name"])}
          >
            {corpora.data.map((candidate) => (
              <option key={candidate.name} value={candidate.name}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
        <TokenizerField value={tokenizer} onChange={setTokenizer} />
        <TextField
          label="Dataset name (optional)"
          value={name}
          onChange={setName}
          maxLength={100}
          placeholder={corpusName}
        />
      </div>
      {corpus && (
        <p className={`muted ${styles.corpus}`}>
          {corpus.description} {plural(corpus.size.samples, "sample")},{" "}
          {formatBytes(corpus.size.bytes)};{" "}
          {corpus.task === "classification" ? "for classification" : "for language modelling"}.
        </p>
      )}
      {add.error && <ErrorNote error={add.error} />}
      <div className="row">
        <SubmitButton pending={add.isPending} pendingLabel="Adding and measuring…">
          Add corpus
        </SubmitButton>
      </div>
    </form>
  );
}
