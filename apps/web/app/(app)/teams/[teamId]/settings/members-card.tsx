"use client";
// The team's members and their roles; admins change roles and remove members, the owner hands
// ownership to another member, and anyone but the owner can leave.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { Card, DataTable, ErrorNote, QueryState } from "~/components/ui.tsx";
import { authClient } from "~/lib/auth-client.ts";
import { formatAge } from "~/lib/format.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { ASSIGNABLE_ROLES, type AssignableRole, ROLE_HINTS } from "./roles.ts";
import styles from "./settings.module.css";

type Member = RouterOutputs["members"]["list"][number];

export function MembersCard({
  teamId,
  canManage,
  isOwner,
}: {
  teamId: string;
  canManage: boolean;
  isOwner: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const userId = authClient.useSession().data?.user.id;
  const members = useQuery(trpc.members.list.queryOptions({ teamId }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries(trpc.members.list.queryFilter({ teamId })),
      queryClient.invalidateQueries(trpc.teams.get.queryFilter({ teamId })),
    ]);
  const setRole = useMutation(trpc.members.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: refresh }));
  const transfer = useMutation(
    trpc.teams.transferOwnership.mutationOptions({ onSuccess: refresh }),
  );
  const leave = useMutation(
    trpc.teams.leave.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.teams.list.pathFilter());
        router.push("/teams");
      },
    }),
  );
  const error = setRole.error ?? remove.error ?? transfer.error ?? leave.error;

  return (
    <Card title="Members" className={styles.wide}>
      <QueryState query={members}>
        {(data) => (
          <DataTable
            caption="The team's members"
            head={
              <>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Joined</th>
                {canManage && <th>Actions</th>}
              </>
            }
          >
            {data.map((member) => (
              <tr key={member.id} data-testid="member-row">
                <td>
                  {member.name}
                  {member.userId === userId && <span className="muted"> (you)</span>}
                </td>
                <td>{member.email}</td>
                <td>
                  {canManage && member.role !== "owner" ? (
                    <select
                      aria-label={`Role of ${member.name}`}
                      value={member.role}
                      disabled={setRole.isPending}
                      onChange={(event) =>
                        setRole.mutate({
                          teamId,
                          userId: member.userId,
                          role: event.target.value as AssignableRole,
                        })
                      }
                    >
                      {ASSIGNABLE_ROLES.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td>{formatAge(member.createdAt)}</td>
                {canManage && (
                  <td>
                    {member.role !== "owner" && member.userId !== userId && (
                      <ConfirmButton
                        small
                        question={`Remove ${member.name} from the team?`}
                        confirmLabel="Remove"
                        pending={remove.isPending}
                        onConfirm={() => remove.mutate({ teamId, userId: member.userId })}
                      >
                        Remove
                      </ConfirmButton>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
      {canManage && (
        <p className="muted small">
          {ASSIGNABLE_ROLES.map((role) => `${role}: ${ROLE_HINTS[role]}`).join(" · ")}
        </p>
      )}
      {error && <ErrorNote error={error} />}
      <div className={styles.footer}>
        {isOwner ? (
          members.data && (
            <TransferOwnership
              candidates={members.data.filter((member) => member.role !== "owner")}
              pending={transfer.isPending}
              onTransfer={(to) => transfer.mutate({ teamId, userId: to })}
            />
          )
        ) : (
          <ConfirmButton
            question="Leave this team? You will need a new invitation to come back."
            confirmLabel="Leave team"
            pending={leave.isPending}
            onConfirm={() => leave.mutate({ teamId })}
          >
            Leave team
          </ConfirmButton>
        )}
      </div>
    </Card>
  );
}

function TransferOwnership({
  candidates,
  pending,
  onTransfer,
}: {
  candidates: Member[];
  pending: boolean;
  onTransfer: (userId: string) => void;
}) {
  const [to, setTo] = useState("");
  const chosen = candidates.find((member) => member.userId === to);
  if (candidates.length === 0) {
    return (
      <p className="muted">
        You own this team. To leave it, invite someone and hand the ownership to them first.
      </p>
    );
  }
  return (
    <div className="row">
      <label className="field">
        <span>Transfer ownership to</span>
        <select value={to} onChange={(event) => setTo(event.target.value)}>
          <option value="">Choose a member…</option>
          {candidates.map((member) => (
            <option key={member.userId} value={member.userId}>
              {member.name} ({member.email})
            </option>
          ))}
        </select>
      </label>
      {chosen && (
        <ConfirmButton
          question={`Make ${chosen.name} the owner? You stay on as an admin.`}
          confirmLabel="Transfer ownership"
          pending={pending}
          onConfirm={() => onTransfer(chosen.userId)}
        >
          Transfer ownership
        </ConfirmButton>
      )}
    </div>
  );
}
