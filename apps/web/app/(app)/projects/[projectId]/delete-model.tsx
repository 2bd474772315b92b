"use client";
// Deleting a model, asked twice; the API refuses while a study starts from it, and says which.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { ErrorNote } from "~/components/ui.tsx";
import { useTRPC } from "~/lib/trpc.tsx";

export function DeleteModel({
  model,
  projectId,
}: {
  model: { id: string; name: string };
  projectId: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.models.delete.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.models.list.queryFilter({ projectId })),
    }),
  );
  return (
    <>
      <ConfirmButton
        small
        question={`Delete ${model.name} and its weights?`}
        confirmLabel="Delete"
        pending={remove.isPending}
        onConfirm={() => remove.mutate({ modelId: model.id })}
      >
        Delete
      </ConfirmButton>
      {remove.error && <ErrorNote error={remove.error} />}
    </>
  );
}
