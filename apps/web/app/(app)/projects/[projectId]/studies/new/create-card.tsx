"use client";
// Creates the study from exactly the spec's text, and starts it unless asked to keep a draft.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Card, ErrorNote } from "~/components/ui.tsx";
import { errorCode, useTRPC } from "~/lib/trpc.tsx";
import styles from "./new-study.module.css";

export function CreateCard({
  projectId,
  text,
  valid,
  showFixNote,
  takenName,
}: {
  projectId: string;
  text: string;
  valid: boolean;
  /** The spec was checked and has problems. */
  showFixNote: boolean;
  /** The spec's name where the project already has a study of that name. */
  takenName: string | undefined;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.studies.create.mutationOptions());
  const start = useMutation(trpc.studies.start.mutationOptions());
  const [startNow, setStartNow] = useState(true);
  const [draft, setDraft] = useState<{ id: string; name: string } | null>(null);

  const onCreate = async () => {
    setDraft(null);
    let study: { id: string; name: string };
    try {
      study = await create.mutateAsync({ projectId, spec: text });
    } catch {
      return; // shown below the button
    }
    void queryClient.invalidateQueries(trpc.studies.list.queryFilter({ projectId }));
    if (startNow) {
      try {
        await start.mutateAsync({ studyId: study.id });
      } catch {
        setDraft(study);
        return;
      }
    }
    router.push(`/studies/${study.id}`);
  };

  return (
    <Card testId="create-card">
      <div className={styles.createBar}>
        <label className={`${styles.inline} ${styles.startNow}`}>
          <input
            type="checkbox"
            checked={startNow}
            data-testid="start-now"
            onChange={(event) => setStartNow(event.target.checked)}
          />
          Start it now (otherwise it stays a draft)
        </label>
        <button
          type="button"
          className="button"
          data-testid="create-study"
          disabled={!valid || takenName !== undefined || create.isPending || start.isPending}
          onClick={onCreate}
        >
          {create.isPending
            ? "Creating…"
            : start.isPending
              ? "Starting…"
              : startNow
                ? "Create and start"
                : "Create draft"}
        </button>
      </div>
      {showFixNote && (
        <p className={`muted ${styles.createNote}`}>Fix the problems above to create the study.</p>
      )}
      {takenName !== undefined && (
        <p className={`bad ${styles.createNote}`} role="alert">
          The project already has a study named “{takenName}”: choose another name.
        </p>
      )}
      {create.error &&
        (errorCode(create.error) === "CONFLICT" ? (
          <div className="error" role="alert" data-testid="error-note">
            The project already has a study with this name: choose another name.
          </div>
        ) : (
          <ErrorNote error={create.error} />
        ))}
      {draft && (
        <div className="error" role="alert">
          The study was created but did not start:{" "}
          {start.error instanceof Error ? start.error.message : "unknown error"}.{" "}
          <Link href={`/studies/${draft.id}`}>Open the draft {draft.name}</Link>
        </div>
      )}
    </Card>
  );
}
