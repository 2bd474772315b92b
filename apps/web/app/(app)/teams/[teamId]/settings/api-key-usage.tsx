"use client";
// What to do with a key just made: the CLI's login and a script's client, ready to paste, with this
// server's address and the key filled in.
import { CopyButton } from "~/components/copy-button.tsx";
import styles from "./settings.module.css";

function Snippet({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <div className="stack" data-testid={testId}>
      <div className="row">
        <strong>{title}</strong>
        <CopyButton text={text} label={`Copy the ${title.toLowerCase()}`} />
      </div>
      <pre className={`code ${styles.snippet}`}>{text}</pre>
    </div>
  );
}

export function ApiKeyUsage({ apiKey }: { apiKey: string }) {
  const url = window.location.origin;
  const cli = [
    `npx attune login --url ${url} --key ${apiKey}`,
    "npx attune projects",
    "npx attune study list --project <project id>",
  ].join("\n");
  const script = [
    'import { createAttuneClient } from "@attune/client";',
    "",
    "const attune = createAttuneClient({",
    `  url: "${url}",`,
    "  apiKey: process.env.ATTUNE_KEY!, // the key above",
    "});",
    "const [team] = await attune.teams.list.query();",
    "const projects = await attune.projects.list.query({ teamId: team!.id });",
  ].join("\n");
  return (
    <>
      <Snippet title="CLI commands" text={cli} testId="api-key-cli" />
      <Snippet title="Script" text={script} testId="api-key-script" />
    </>
  );
}
