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

/** The variable a script reads the key from, as the README's example does. */
const KEY_VARIABLE = "ATTUNE_KEY";

export function ApiKeyUsage({ apiKey }: { apiKey: string }) {
  const url = window.location.origin;
  const cli = [
    `npx attune login --url ${url} --key ${apiKey}`,
    "npx attune projects",
    "npx attune study list --project <project id>",
  ].join("\n");
  const script = [
    `// Run with ${KEY_VARIABLE}=${apiKey} in the environment.`,
    'import { createAttuneClient } from "@attune/client";',
    "",
    "const attune = createAttuneClient({",
    `  url: "${url}",`,
    `  apiKey: process.env.${KEY_VARIABLE}!,`,
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
