"use client";
// What a member can do to a study from its dashboard: start, pause, resume or cancel it, add
// trials to its budget, and clone it under a new name. Viewers see none of it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { ErrorNote } from "~/components/ui.tsx";
import { useTRPC } from "~/lib/trpc.tsx";
import styles from "./study.module.css";
import { type Study, studyTrialsKey } from "./study-data.ts";

/** Statuses each request is accepted from (packages/api's STATUS_REQUESTS). */
const CAN = {
  start: ["draft"],
  pause: ["running"],
  resume: ["paused", "failed"],
  cancel: ["draft", "running", "paused"],
  appendTrials: ["running", "paused", "completed"],
};

type Panel = "add" | "clone" | null;

export function StudyControls({ study, canEdit }: { study: Study; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [panel, setPanel] = useState<Panel>(null);
  const [count, setCount] = useState("10");
  const [cloneName, setCloneName] = useState(`${study.name} (copy)`);
  const studyId = study.id;

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.studies.get.queryKey({ studyId }) });
    void queryClient.invalidateQueries({ queryKey: studyTrialsKey(studyId) });
  };
  const options = { onSuccess: refresh };
  const start = useMutation(trpc.studies.start.mutationOptions(options));
  const pause = useMutation(trpc.studies.pause.mutationOptions(options));
  const resume = useMutation(trpc.studies.resume.mutationOptions(options));
  const cancel = useMutation(trpc.studies.cancel.mutationOptions(options));
  const append = useMutation(
    trpc.studies.appendTrials.mutationOptions({
      onSuccess: () => {
        refresh();
        setPanel(null);
      },
    }),
  );
  const clone = useMutation(
    trpc.studies.clone.mutationOptions({
      onSuccess: (created) => router.push(`/studies/${created.id}`),
    }),
  );
  const mutations = [start, pause, resume, cancel, append, clone];
  const pending = mutations.some((mutation) => mutation.isPending);
  const failed = mutations.find((mutation) => mutation.error)?.error;

  if (!canEdit) return null;
  const can = (request: keyof typeof CAN) => CAN[request].includes(study.status);

  const submitAppend = (event: FormEvent) => {
    event.preventDefault();
    append.mutate({ studyId, count: Number(count) });
  };
  const submitClone = (event: FormEvent) => {
    event.preventDefault();
    clone.mutate({ studyId, name: cloneName });
  };

  return (
    <div className={styles.controls} data-testid="study-controls">
      <div className="actions">
        {can("start") && (
          <button
            type="button"
            className="button"
            disabled={pending}
            onClick={() => start.mutate({ studyId })}
          >
            Start
          </button>
        )}
        {can("pause") && (
          <button
            type="button"
            className="button secondary"
            disabled={pending}
            onClick={() => pause.mutate({ studyId })}
          >
            Pause
          </button>
        )}
        {can("resume") && (
          <button
            type="button"
            className="button"
            disabled={pending}
            onClick={() => resume.mutate({ studyId })}
          >
            Resume
          </button>
        )}
        {can("appendTrials") && (
          <button
            type="button"
            className="button secondary"
            aria-expanded={panel === "add"}
            onClick={() => setPanel(panel === "add" ? null : "add")}
          >
            Add trials
          </button>
        )}
        <button
          type="button"
          className="button secondary"
          aria-expanded={panel === "clone"}
          onClick={() => setPanel(panel === "clone" ? null : "clone")}
        >
          Clone
        </button>
        {can("cancel") && (
          <ConfirmButton
            question="Cancel the study? Running trials stop."
            confirmLabel="Cancel study"
            onConfirm={() => cancel.mutate({ studyId })}
            pending={pending}
          >
            Cancel
          </ConfirmButton>
        )}
      </div>
      {panel === "add" && (
        <form className={styles.inlineForm} onSubmit={submitAppend}>
          <label className="field">
            <span>Trials to add</span>
            <input
              type="number"
              min={1}
              max={10_000}
              required
              value={count}
              onChange={(event) => setCount(event.target.value)}
            />
          </label>
          <button type="submit" className="button" disabled={pending}>
            Add {count} trials
          </button>
        </form>
      )}
      {panel === "clone" && (
        <form className={styles.inlineForm} onSubmit={submitClone}>
          <label className="field">
            <span>Name of the copy</span>
            <input
              required
              maxLength={100}
              value={cloneName}
              onChange={(event) => setCloneName(event.target.value)}
            />
          </label>
          <button type="submit" className="button" disabled={pending}>
            Clone as a draft
          </button>
        </form>
      )}
      {failed && <ErrorNote error={failed} />}
    </div>
  );
}
