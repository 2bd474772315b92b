// The form and the spec text kept in step: a form change rewrites the text; a text change fills
// the form where the form can show the spec, and otherwise the text wins and the form waits.
import { useMemo, useState } from "react";
import { defaultStudyForm, type StudyForm } from "~/lib/study-form/form-state.ts";
import { formToSpec } from "~/lib/study-form/form-to-spec.ts";
import {
  detectFormat,
  readSpecText,
  type SpecFormat,
  specToText,
} from "~/lib/study-form/spec-text.ts";
import { specToForm } from "~/lib/study-form/spec-to-form.ts";

/** Whether the form shows the text's spec, or why not. */
export type Sync =
  | { kind: "in-sync" }
  | { kind: "editor-only"; parts: string[]; nearest: StudyForm }
  | { kind: "unparseable"; message: string; line: number | undefined };

export function useSpecSync() {
  const [form, setForm] = useState<StudyForm>(() => defaultStudyForm());
  const [format, setFormat] = useState<SpecFormat>("yaml");
  const [text, setText] = useState(() => specToText(formToSpec(defaultStudyForm()), "yaml"));
  const [sync, setSync] = useState<Sync>({ kind: "in-sync" });

  /** A form change: the text follows. */
  const updateForm = (next: StudyForm) => {
    setForm(next);
    setText(specToText(formToSpec(next), format));
    setSync({ kind: "in-sync" });
  };

  /** A text change: the form follows where it can show the spec. */
  const updateText = (next: string) => {
    setText(next);
    const read = readSpecText(next);
    if (!read.ok) {
      setSync({ kind: "unparseable", message: read.message, line: read.line });
      return;
    }
    setFormat(detectFormat(next));
    const { form: nearest, editorOnly } = specToForm(read.value, form);
    if (editorOnly.length === 0) {
      setForm(nearest);
      setSync({ kind: "in-sync" });
    } else {
      setSync({ kind: "editor-only", parts: editorOnly, nearest });
    }
  };

  /** The spec the text holds, where it parses (the LR range test and W&B import start from it). */
  const textSpec = useMemo(() => {
    const read = readSpecText(text);
    return read.ok ? read.value : undefined;
  }, [text]);

  /** The same spec in the other format. */
  const changeFormat = (next: SpecFormat) => {
    setFormat(next);
    if (textSpec !== undefined) setText(specToText(textSpec, next));
  };

  /** Replaces the text with a spec, written in the current format. */
  const writeSpec = (spec: unknown) => updateText(specToText(spec, format));

  return { form, text, format, sync, textSpec, updateForm, updateText, changeFormat, writeSpec };
}
