"use client";
// A checkpoint made a model of the project (pretrain in one study, fine-tune in the next): the
// server exports it as a Hugging Face folder, stores it like an upload and checks it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorNote } from "~/components/ui.tsx";
import { useTRPC } from "~/lib/trpc.tsx";

export function PromoteCheckpoint({
  trialId,
  kind,
  projectId,
}: {
  trialId: string;
  kind: "best" | "last";
  projectId: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const promote = useMutation(
    trpc.models.promote.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.models.list.queryFilter({ projectId })),
    }),
  );
  if (promote.data) {
    return (
      <span role="status" data-testid={`promoted-${kind}`}>
        Model <Link href={`/projects/${projectId}`}>{promote.data.name}</Link> is{" "}
        {promote.data.status}
        {promote.data.error ? `: ${promote.data.error}` : ""}
      </span>
    );
  }
  return (
    <>
      <button
        type="button"
        className="button secondary small"
        disabled={promote.isPending}
        onClick={() => promote.mutate({ trialId, kind })}
        data-testid={`promote-${kind}`}
      >
        {promote.isPending ? "Making a model…" : "Make a model"}
        <span className="visually-hidden"> of the {kind} checkpoint, to fine-tune in a study</span>
      </button>
      {promote.error && <ErrorNote error={promote.error} />}
    </>
  );
}
