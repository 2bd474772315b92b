// The study-spec reference in the app: the document `npm run docs` writes to docs/study-spec.md,
// generated from core's schemas, rendered here so that every setting's help can link to it.
import { studySpecReference } from "@attune/core/spec";
import type { Metadata } from "next";
import { PageHeader } from "~/components/ui.tsx";
import { renderReference } from "~/lib/spec-reference.ts";
import styles from "./reference.module.css";

export const metadata: Metadata = { title: "Study spec reference" };

export default async function ReferencePage() {
  // The document opens with its own title; the page header replaces it.
  const markdown = studySpecReference().replace(/^# .*\n/, "");
  return (
    <>
      <PageHeader
        title="Study spec reference"
        subtitle="Every field of a study spec, with its type, default, allowed values and an example."
      />
      <article
        className={`card ${styles.reference}`}
        // Our own document, generated from core's schemas: no user input reaches it.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown rendered on the server
        dangerouslySetInnerHTML={{ __html: await renderReference(markdown) }}
      />
    </>
  );
}
