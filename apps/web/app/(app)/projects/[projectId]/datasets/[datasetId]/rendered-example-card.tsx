"use client";
// An instruction or dialogue example as the model reads it, rendered with the plain chat template,
// with the tokens the loss is on highlighted; the arrows step through the examples.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Card, ErrorNote, Loading } from "~/components/ui.tsx";
import { formatCount, plural } from "~/lib/format.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import styles from "./dataset.module.css";

export function RenderedExample({ datasetId, examples }: { datasetId: string; examples: number }) {
  const trpc = useTRPC();
  const [index, setIndex] = useState(0);
  const example = useQuery(trpc.datasets.example.queryOptions({ datasetId, index }));
  const segments = example.data?.segments ?? [];
  const count = (trained: boolean) =>
    segments.filter((segment) => segment.trained === trained).reduce((n, s) => n + s.tokens, 0);
  return (
    <Card
      title="Rendered example"
      testId="rendered-example"
      actions={
        <div className="row">
          <button type="button" disabled={index === 0} onClick={() => setIndex(index - 1)}>
            Previous
          </button>
          <span className="muted small">
            {formatCount(index + 1)} of {formatCount(examples)}
          </span>
          <button
            type="button"
            disabled={index + 1 >= examples}
            onClick={() => setIndex(index + 1)}
          >
            Next
          </button>
        </div>
      }
    >
      {example.error ? (
        <ErrorNote error={example.error} />
      ) : !example.data ? (
        <Loading label="Rendering the example…" />
      ) : (
        <>
          <p className="muted small">
            Line {example.data.line}, with the plain chat template.{" "}
            <mark className={styles.trained}>Highlighted</mark>: the {plural(count(true), "token")}{" "}
            trained on; the other {plural(count(false), "token")} are context only.
          </p>
          <pre className={styles.example} data-testid="rendered-example-text">
            {segments.map((segment, position) => {
              const Tag = segment.trained ? "mark" : "span";
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: an example's segments never move.
                <Tag key={position} className={segment.trained ? styles.trained : undefined}>
                  {segment.text}
                </Tag>
              );
            })}
          </pre>
        </>
      )}
    </Card>
  );
}
