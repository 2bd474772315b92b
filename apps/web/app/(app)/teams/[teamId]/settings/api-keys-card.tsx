"use client";
// The signed-in user's API keys for this team: made with a lifetime, shown once, revocable.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button.tsx";
import { CopyField } from "~/components/copy-button.tsx";
import { SubmitButton, TextField } from "~/components/form.tsx";
import { Card, DataTable, Empty, ErrorNote, QueryState } from "~/components/ui.tsx";
import { formatAge, formatTime } from "~/lib/format.ts";
import { type RouterOutputs, useTRPC } from "~/lib/trpc.tsx";
import { ApiKeyUsage } from "./api-key-usage.tsx";
import styles from "./settings.module.css";

const KEY_LIFETIMES = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: undefined, label: "Never expires" },
] as const;

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

function keyState(key: ApiKey, now: number): "active" | "revoked" | "expired" {
  if (!key.enabled) return "revoked";
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return "expired";
  return "active";
}

export function ApiKeysCard({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [lifetime, setLifetime] = useState(0);
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ teamId }));
  const refresh = () => queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter({ teamId }));
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async () => {
        setName("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));
  const now = Date.now();

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ teamId, name: name.trim(), expiresInDays: KEY_LIFETIMES[lifetime]?.days });
  }

  return (
    <Card title="Your API keys for this team" className={styles.wide}>
      <p className="muted">
        Scripts and the <code>attune</code> command line act as you in this team, with your role,
        through a key.
      </p>
      <form className={`row ${styles.inlineForm}`} onSubmit={submit}>
        <TextField
          label="Key name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          placeholder="laptop scripts"
        />
        <label className="field">
          <span>Expires</span>
          <select value={lifetime} onChange={(event) => setLifetime(Number(event.target.value))}>
            {KEY_LIFETIMES.map((option, index) => (
              <option key={option.label} value={index}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <SubmitButton pending={create.isPending} pendingLabel="Creating…" disabled={!name.trim()}>
          Create key
        </SubmitButton>
      </form>
      {create.error && <ErrorNote error={create.error} />}
      {create.data && (
        <div className="notice stack" data-testid="new-api-key">
          <strong>Copy the key now: it is not shown again.</strong>
          <CopyField
            value={create.data.key}
            label="API key"
            copyLabel="Copy key"
            testId="api-key-secret"
          />
          <ApiKeyUsage apiKey={create.data.key} />
        </div>
      )}
      <QueryState query={keys} empty={<Empty>No keys yet.</Empty>}>
        {(data) => (
          <DataTable
            caption="Your API keys for this team"
            head={
              <>
                <th>Name</th>
                <th>Key</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>State</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </>
            }
          >
            {data.map((key) => {
              const state = keyState(key, now);
              return (
                <tr key={key.id} data-testid="api-key-row">
                  <td>{key.name}</td>
                  <td className="code">{key.start}…</td>
                  <td>{formatAge(key.createdAt, now)}</td>
                  <td>{key.expiresAt ? formatTime(key.expiresAt) : "never"}</td>
                  <td>{key.lastRequest ? formatAge(key.lastRequest, now) : "never"}</td>
                  <td>
                    <span className={`badge ${state === "active" ? "badge-ok" : ""}`}>{state}</span>
                  </td>
                  <td>
                    {state === "active" && (
                      <ConfirmButton
                        small
                        question={`Revoke ${key.name ?? "this key"}? Scripts using it stop working.`}
                        confirmLabel="Revoke"
                        pending={revoke.isPending}
                        onConfirm={() => revoke.mutate({ teamId, apiKeyId: key.id })}
                      >
                        Revoke
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </QueryState>
      {revoke.error && <ErrorNote error={revoke.error} />}
    </Card>
  );
}
