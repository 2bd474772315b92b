"use client";
// The trial's saved checkpoints, each a download of the bytes that resume its training and an export
// of its model as a Hugging Face folder.
import { Card, Empty, ErrorNote, Loading, TableScroll } from "~/components/ui.tsx";
import { formatAge, formatNumber, formatTime } from "~/lib/format.ts";
import type { RouterOutputs } from "~/lib/trpc.tsx";
import { formatBytes } from "~/lib/upload.ts";
import { PromoteCheckpoint } from "./promote-checkpoint.tsx";
import styles from "./trial.module.css";

type Checkpoint = RouterOutputs["trials"]["checkpoints"][number];

export function CheckpointsCard({
  trialId,
  projectId,
  canEdit,
  exportsAdapters,
  checkpoints,
  isPending,
  error,
}: {
  trialId: string;
  /** Known once the study is: members may make a checkpoint a model of this project. */
  projectId: string | undefined;
  canEdit: boolean;
  /** A LoRA trial of a study's model: its adapters also export alone, in PEFT's layout. */
  exportsAdapters: boolean;
  checkpoints: readonly Checkpoint[] | undefined;
  isPending: boolean;
  error: unknown;
}) {
  return (
    <Card title="Checkpoints" testId="trial-checkpoints">
      {error ? (
        <ErrorNote error={error} what="trial" />
      ) : isPending || !checkpoints ? (
        <Loading label="Loading checkpoints…" />
      ) : checkpoints.length === 0 ? (
        <Empty>No checkpoint yet: the trial saves one as it trains.</Empty>
      ) : (
        <>
          <TableScroll label="The trial's checkpoints">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col" className="num">
                    Step
                  </th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Saved</th>
                  <th scope="col">
                    <span className="visually-hidden">Download</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {checkpoints.map((checkpoint) => (
                  <tr key={checkpoint.kind} data-testid={`checkpoint-${checkpoint.kind}`}>
                    <td>{checkpoint.kind}</td>
                    <td className="num">{formatNumber(checkpoint.step)}</td>
                    <td className="num">{formatBytes(checkpoint.sizeBytes)}</td>
                    <td title={formatTime(checkpoint.createdAt)}>
                      {formatAge(checkpoint.createdAt)}
                    </td>
                    <td>
                      {checkpoint.storageRef === null ? (
                        <span className={styles.downloads}>
                          <a
                            className="button secondary small"
                            href={`/api/trials/${trialId}/checkpoints/${checkpoint.kind}`}
                            download
                          >
                            Download
                            <span className="visually-hidden">
                              {" "}
                              the {checkpoint.kind} checkpoint
                            </span>
                          </a>
                          <a
                            className="button secondary small"
                            href={`/api/trials/${trialId}/checkpoints/${checkpoint.kind}/export`}
                            download
                            data-testid={`export-${checkpoint.kind}`}
                          >
                            Export model
                            <span className="visually-hidden">
                              {" "}
                              of the {checkpoint.kind} checkpoint as a Hugging Face folder
                            </span>
                          </a>
                          {exportsAdapters && (
                            <a
                              className="button secondary small"
                              href={`/api/trials/${trialId}/checkpoints/${checkpoint.kind}/export?format=peft`}
                              download
                              data-testid={`export-adapter-${checkpoint.kind}`}
                            >
                              Export adapter
                              <span className="visually-hidden">
                                {" "}
                                of the {checkpoint.kind} checkpoint in PEFT's layout
                              </span>
                            </a>
                          )}
                          {canEdit && projectId && (
                            <PromoteCheckpoint
                              trialId={trialId}
                              kind={checkpoint.kind}
                              projectId={projectId}
                            />
                          )}
                        </span>
                      ) : (
                        <span className="muted">in external storage: {checkpoint.storageRef}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p className="muted small">
            Best: saved at the trial's best evaluation. Last: its latest state, which training
            resumes from. Each file holds the weights, optimizer state and tokenizer. Export model
            gives a zipped Hugging Face folder (config.json, model.safetensors, tokenizer files, a
            model card) that transformers' from_pretrained loads; a LoRA trial's Export adapter
            gives its adapters alone (adapter_config.json, adapter_model.safetensors) for PEFT to
            load onto the study's model. Make a model adds it to the project's models, for a study
            to fine-tune.
          </p>
        </>
      )}
    </Card>
  );
}
