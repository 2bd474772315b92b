"use client";
// Text from the trial's model, streamed token by token from its best (else last) checkpoint over
// trials.generate's subscription, with a Stop that ends the stream; above it, how trained that
// checkpoint is, so that a jumble from a barely trained model reads as such. Instruction and
// dialogue trials chat instead: each message is sent with the conversation so far.
import type { Unsubscribable } from "@trpc/server/observable";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Card } from "~/components/ui.tsx";
import { type ChatMessage, withExchange } from "~/lib/chat.ts";
import { formatNumber } from "~/lib/format.ts";
import {
  DEFAULT_PLAYGROUND_FIELDS,
  type FieldErrors,
  type GenerationSource,
  generateInput,
  generationErrorText,
  generationSourceText,
  MAX_GENERATED_TOKENS,
  MAX_PROMPT_LENGTH,
  type PlaygroundFields,
} from "~/lib/playground.ts";
import { errorCode, useTRPCClient } from "~/lib/trpc.tsx";
import { ChatLog } from "./chat-log.tsx";
import styles from "./trial.module.css";

interface Run {
  status: "generating" | "done" | "stopped" | "failed";
  prompt: string;
  /** In a chat, the user's message this run replies to. */
  message?: string;
  text: string;
  tokens: number;
  seed: number;
  startedAt: number;
  endedAt?: number;
  error?: string;
}

const NUMBER_FIELDS: readonly {
  name: Exclude<keyof PlaygroundFields, "prompt">;
  label: string;
  hint: string;
  step: string;
}[] = [
  {
    name: "maxLength",
    label: "Max length",
    hint: `New tokens, 1 to ${MAX_GENERATED_TOKENS}`,
    step: "1",
  },
  {
    name: "temperature",
    label: "Temperature",
    hint: "0 always takes the likeliest token",
    step: "0.1",
  },
  { name: "topK", label: "Top-k", hint: "Blank: any token", step: "1" },
  { name: "topP", label: "Top-p", hint: "Blank: no nucleus cut-off", step: "0.05" },
  { name: "seed", label: "Seed", hint: "Blank: a new one each time", step: "1" },
];

function statusText(run: Run): string {
  const tokens = `${formatNumber(run.tokens)} token${run.tokens === 1 ? "" : "s"}`;
  const seconds = ((run.endedAt ?? Date.now()) - run.startedAt) / 1000;
  switch (run.status) {
    case "generating":
      return `Generating… ${tokens}`;
    case "done":
      return `Done: ${tokens} in ${seconds.toFixed(1)} s, seed ${run.seed}`;
    case "stopped":
      return `Stopped after ${tokens}, seed ${run.seed}`;
    case "failed":
      return "Generation failed";
  }
}

export function Playground({
  trialId,
  source,
  chat,
}: {
  trialId: string;
  /** Null while the trial has no checkpoint; undefined until read. */
  source: GenerationSource | null | undefined;
  /** A conversation rather than text to continue: instruction and dialogue trials. */
  chat: boolean;
}) {
  const client = useTRPCClient();
  const [fields, setFields] = useState(DEFAULT_PLAYGROUND_FIELDS);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [run, setRun] = useState<Run | null>(null);
  const [turns, setTurns] = useState<ChatMessage[]>([]);
  const ids = useId();
  const subscription = useRef<Unsubscribable | null>(null);
  useEffect(() => () => subscription.current?.unsubscribe(), []);

  const generating = run?.status === "generating";

  /** Ends the running generation once: a late message from a stopped stream changes nothing. */
  function finish(update: Partial<Run>) {
    subscription.current = null;
    setRun((current) =>
      current?.status === "generating" ? { ...current, endedAt: Date.now(), ...update } : current,
    );
  }

  function generate(event: FormEvent) {
    event.preventDefault();
    const result = generateInput(trialId, fields);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    if (chat && fields.prompt.trim() === "") {
      setErrors({ prompt: "Write a message for the model to answer." });
      return;
    }
    setErrors({});
    subscription.current?.unsubscribe();
    // The last exchange joins the conversation once the next message is sent.
    const history =
      chat && run?.message !== undefined && run.status !== "generating"
        ? withExchange(turns, { message: run.message, reply: run.text })
        : turns;
    setTurns(history);
    const input = chat
      ? {
          ...result.input,
          prompt: "",
          messages: [...history, { role: "user" as const, content: fields.prompt }],
        }
      : result.input;
    if (chat) setFields((current) => ({ ...current, prompt: "" }));
    setRun({
      status: "generating",
      prompt: input.prompt ?? "",
      ...(chat && { message: fields.prompt }),
      text: "",
      tokens: 0,
      seed: input.seed ?? 0,
      startedAt: Date.now(),
    });
    subscription.current = client.trials.generate.subscribe(input, {
      // A reconnect starts the generation over with the same seed, so it starts the text over too.
      onStarted: () => setRun((current) => current && { ...current, text: "", tokens: 0 }),
      onData: (token) =>
        setRun((current) =>
          current?.status === "generating"
            ? { ...current, text: current.text + token.text, tokens: current.tokens + 1 }
            : current,
        ),
      onError: (error) =>
        finish({ status: "failed", error: generationErrorText(errorCode(error), error.message) }),
      onComplete: () => finish({ status: "done" }),
    });
  }

  function stop() {
    const stream = subscription.current;
    // Marked stopped first: unsubscribing completes the stream, which would read as done.
    finish({ status: "stopped" });
    stream?.unsubscribe();
  }

  const set = (name: keyof PlaygroundFields) => (value: string) =>
    setFields((current) => ({ ...current, [name]: value }));

  return (
    <Card title="Playground" testId="playground" className={styles.playground}>
      <p className="muted" data-testid="generation-source">
        {source
          ? generationSourceText(source)
          : source === null
            ? "This trial has no checkpoint yet: it saves one as it trains."
            : "Generates from the trial's best checkpoint, or its last one."}
      </p>
      <form className="stack" onSubmit={generate} noValidate>
        <div className="field">
          <label htmlFor={`${ids}-prompt`}>{chat ? "Message" : "Prompt"}</label>
          <textarea
            id={`${ids}-prompt`}
            className="code"
            rows={3}
            maxLength={MAX_PROMPT_LENGTH}
            value={fields.prompt}
            onChange={(event) => set("prompt")(event.target.value)}
            aria-invalid={errors.prompt ? true : undefined}
            aria-describedby={errors.prompt ? `${ids}-prompt-error` : undefined}
            placeholder={
              chat
                ? "The next user turn: the model answers it as the assistant"
                : "Text to continue; empty starts from nothing where the tokenizer allows"
            }
          />
          {errors.prompt && (
            <span id={`${ids}-prompt-error`} className="bad">
              {errors.prompt}
            </span>
          )}
        </div>
        <div className={styles.playgroundFields}>
          {NUMBER_FIELDS.map((field) => {
            const id = `${ids}-${field.name}`;
            const error = errors[field.name];
            return (
              <div className="field" key={field.name}>
                <label htmlFor={id}>{field.label}</label>
                <input
                  id={id}
                  type="number"
                  inputMode="decimal"
                  step={field.step}
                  value={fields[field.name]}
                  onChange={(event) => set(field.name)(event.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
                />
                <span id={`${id}-hint`} className="hint">
                  {field.hint}
                </span>
                {error && (
                  <span id={`${id}-error`} className="bad">
                    {error}
                  </span>
                )}
              </div>
            );
          })}
        </div>
        <div className="row">
          <button type="submit" className="button" disabled={generating}>
            {chat ? "Send" : "Generate"}
          </button>
          <button type="button" className="button secondary" disabled={!generating} onClick={stop}>
            Stop
          </button>
          {chat && (
            <button
              type="button"
              className="button ghost"
              disabled={generating || (turns.length === 0 && !run)}
              onClick={() => {
                setTurns([]);
                setRun(null);
              }}
            >
              New conversation
            </button>
          )}
          <span className="muted" role="status" data-testid="generation-status">
            {run ? statusText(run) : ""}
          </span>
        </div>
      </form>
      {run?.error && (
        <p className="error" role="alert" data-testid="generation-error">
          {run.error}
        </p>
      )}
      {chat && (
        <ChatLog
          turns={turns}
          current={
            run?.message === undefined ? undefined : { message: run.message, reply: run.text }
          }
          busy={generating}
        />
      )}
      {!chat && run && (run.status !== "failed" || run.text) && (
        <pre className="output" aria-busy={generating} data-testid="generated-text">
          <span className="muted">{run.prompt}</span>
          {run.text}
        </pre>
      )}
    </Card>
  );
}
