"use client";
// A project's models: the list (size, parameters, hash, status) and, for members, uploading a
// Hugging Face folder: each file hashed and sent in parts with File.slice, one row per file with
// its progress bar. An upload cut off is resumed by choosing the same folder again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Card, DataTable, Empty, ErrorNote, QueryState, StateBadge } from "~/components/ui.tsx";
import { formatAge, formatCount } from "~/lib/format.ts";
import { folderFiles, hashFile, partBase64 } from "~/lib/model-upload.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { formatBytes } from "~/lib/upload.ts";
import { DeleteModel } from "./delete-model.tsx";
import styles from "./project.module.css";

type Model = RouterOutputs["models"]["list"][number];

export function ModelsCard({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  return (
    <Card title="Models" testId="models">
      <QueryState
        query={models}
        loading="Loading models…"
        empty={
          <Empty>
            No models yet.
            {canEdit
              ? " Upload a Hugging Face folder below, or promote a trial's checkpoint."
              : " A member of the team can add one."}
          </Empty>
        }
      >
        {(data) => <ModelTable models={data} projectId={projectId} canEdit={canEdit} />}
      </QueryState>
      {canEdit && <UploadModel projectId={projectId} />}
    </Card>
  );
}

function ModelTable({
  models,
  projectId,
  canEdit,
}: {
  models: Model[];
  projectId: string;
  canEdit: boolean;
}) {
  return (
    <DataTable
      caption="The project's models"
      head={
        <>
          <th>Name</th>
          <th>Source</th>
          <th>Architecture</th>
          <th className="num">Parameters</th>
          <th className="num">Size</th>
          <th>Hash</th>
          <th>Status</th>
          <th>Added</th>
          {canEdit && (
            <th>
              <span className="visually-hidden">Delete</span>
            </th>
          )}
        </>
      }
    >
      {models.map((model) => (
        <tr key={model.id} data-testid="model-row">
          <td>{model.name}</td>
          <td>{model.source}</td>
          <td>{model.architecture ?? "–"}</td>
          <td className="num">{formatCount(model.parameterCount)}</td>
          <td className="num">{formatBytes(model.sizeBytes)}</td>
          <td>
            <code title={model.contentHash}>{model.contentHash.slice(0, 12)}</code>
          </td>
          <td>
            <StateBadge state={model.status} />
            {model.error && <span className="muted"> {model.error}</span>}
          </td>
          <td>{formatAge(model.createdAt)}</td>
          {canEdit && (
            <td>
              <DeleteModel model={model} projectId={projectId} />
            </td>
          )}
        </tr>
      ))}
    </DataTable>
  );
}

/** How far one file has come: hashed bytes, then sent parts. */
interface FileProgress {
  hashed: number;
  parts: number;
  sent: number;
}

function UploadModel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [name, setName] = useState("");
  const [progress, setProgress] = useState<Record<string, FileProgress>>({});
  const begin = useMutation(trpc.models.begin.mutationOptions());
  const part = useMutation(trpc.models.part.mutationOptions());
  const complete = useMutation(trpc.models.complete.mutationOptions());
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<RouterOutputs["models"]["complete"] | null>(null);

  const report = (file: string, change: Partial<FileProgress>) =>
    setProgress((all) => ({
      ...all,
      [file]: { ...({ hashed: 0, parts: 0, sent: 0 } as FileProgress), ...all[file], ...change },
    }));

  function choose(list: FileList | null) {
    const picked = folderFiles([...(list ?? [])]);
    setFiles(picked.files);
    setName((current) => current || picked.folder);
    setProgress({});
    setResult(null);
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    setRunning(true);
    setError(null);
    try {
      const specs = [];
      for (const file of files) {
        const sha256 = await hashFile(file, (hashed) => report(file.name, { hashed }));
        specs.push({ name: file.name, sizeBytes: file.size, sha256 });
      }
      const state = await begin.mutateAsync({ projectId, name: name.trim(), files: specs });
      for (const entry of state.files) {
        const sent = entry.held ? entry.parts : entry.present.length;
        report(entry.name, { parts: entry.parts, sent });
      }
      for (const entry of state.status === "uploading" ? state.files : []) {
        const file = files.find((candidate) => candidate.name === entry.name);
        if (entry.held || !file) continue;
        let sent = entry.present.length;
        for (let index = 0; index < entry.parts; index++) {
          if (entry.present.includes(index)) continue;
          const bytes = await partBase64(file, index);
          await part.mutateAsync({ modelId: state.modelId, file: entry.name, index, bytes });
          report(entry.name, { sent: ++sent });
        }
      }
      if (state.status === "uploading") {
        setResult(await complete.mutateAsync({ modelId: state.modelId }));
      }
      await queryClient.invalidateQueries(trpc.models.list.queryFilter({ projectId }));
    } catch (failure) {
      setError(failure);
    } finally {
      setRunning(false);
    }
  }

  return (
    <section className={styles.addDataset} aria-labelledby="upload-model-title">
      <div className="card-head">
        <h3 id="upload-model-title">Upload a model</h3>
      </div>
      <form className="stack" onSubmit={send}>
        <label className="field">
          <span>Hugging Face folder (config.json, model.safetensors, tokenizer files)</span>
          <input
            type="file"
            multiple
            // Folder pickers: the standard attribute is not there yet; every current browser has this.
            {...{ webkitdirectory: "" }}
            onChange={(event) => choose(event.target.files)}
            disabled={running}
          />
        </label>
        <TextField label="Model name" value={name} onChange={setName} required maxLength={100} />
        {files.map((file) => (
          <FileRow key={file.name} file={file} progress={progress[file.name]} />
        ))}
        {error !== null && <ErrorNote error={error} />}
        {result && (
          <p className="notice" role="status">
            Model {result.name} is {result.status}
            {result.error ? `: ${result.error}` : "."}
          </p>
        )}
        <div className="row">
          <SubmitButton
            pending={running}
            pendingLabel="Uploading…"
            disabled={files.length === 0 || !name.trim()}
          >
            Upload
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

/** One file of the upload: hashing, then sending, each with its bar. */
function FileRow({ file, progress }: { file: File; progress: FileProgress | undefined }) {
  const sending = progress !== undefined && progress.parts > 0;
  const [value, max] = sending
    ? [progress.sent, progress.parts]
    : [progress?.hashed ?? 0, Math.max(file.size, 1)];
  return (
    <div className="row" data-testid="model-file">
      <span>
        {file.name} <span className="muted">{formatBytes(file.size)}</span>
      </span>
      <progress
        value={value}
        max={max}
        aria-label={`${file.name}: ${sending ? "sent" : "hashed"}`}
      />
      <span className="muted">
        {sending ? `${progress.sent}/${progress.parts} parts sent` : progress ? "hashing" : ""}
      </span>
    </div>
  );
}
