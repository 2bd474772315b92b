"use client";
// Adding a dataset to a project: a file uploaded (see upload-form.tsx) or one of the built-in
// corpora, text or instruction data, each measured with the chosen tokenizer.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Segmented } from "~/components/segmented.tsx";
import { ErrorNote, Loading } from "~/components/ui.tsx";
import { plural } from "~/lib/format.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { formatBytes } from "~/lib/upload.ts";
import styles from "./project.module.css";
import { type Tokenizer, TokenizerField } from "./tokenizer-field.tsx";
import { UploadForm } from "./upload-form.tsx";

type Corpus = RouterOutputs["datasets"]["corpora"][number];
type AddedDataset = RouterOutputs["datasets"]["upload"];

type Source = "file" | "corpus";

const CORPUS_TASKS: Record<Corpus["task"], string> = {
  "language-modelling": "language modelling",
  classification: "classification",
  instruction: "instruction tuning (prompt → completion)",
};

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

/** What both ways of adding a dataset are given. */
interface AddFormProps {
  projectId: string;
  onAdded: (dataset: AddedDataset) => Promise<void>;
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
          {formatBytes(corpus.size.bytes)}; for {CORPUS_TASKS[corpus.task]}.
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
