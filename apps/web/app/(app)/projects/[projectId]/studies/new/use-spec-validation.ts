// Validation as you type: the API checks the text a moment after the last keystroke; its errors
// are shown at their lines in the editor and beside their fields in the form.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { errorField, type SpecErrorLike } from "~/lib/study-form/spec-text.ts";
import { useTRPC } from "~/lib/trpc.tsx";
import { useSettled } from "~/lib/use-settled.ts";

const VALIDATE_DEBOUNCE_MS = 300;

/**
 * `ready`: the form has its starting values (the project's first dataset). Before that nothing is
 * checked, so a half-filled form never flashes problems that its defaults are about to fix.
 */
export function useSpecValidation(projectId: string, text: string, ready: boolean) {
  const trpc = useTRPC();
  const checkedText = useSettled(ready ? text : "", VALIDATE_DEBOUNCE_MS);
  const validation = useQuery({
    ...trpc.studies.validate.queryOptions({ projectId, spec: checkedText }),
    enabled: checkedText.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const empty = text.trim() === "";
  /** The result is for the text on screen, not an earlier one. */
  const current =
    ready &&
    !empty &&
    checkedText === text &&
    validation.isSuccess &&
    !validation.isPlaceholderData;
  const result = validation.data;
  const errors: SpecErrorLike[] = result && !result.ok ? result.errors : [];
  const valid = current && result?.ok === true;
  const errorLines = useMemo(
    () => new Set(errors.flatMap((error) => (error.line === undefined ? [] : [error.line]))),
    [errors],
  );
  /** Each form section's messages (errorField), with the path they are about. */
  const fieldErrors = useMemo(() => {
    const byField = new Map<string, string[]>();
    for (const error of errors) {
      const field = errorField(error.path);
      const message = `${error.path ? `${error.path}: ` : ""}${error.message}`;
      byField.set(field, [...(byField.get(field) ?? []), message]);
    }
    return byField;
  }, [errors]);
  return { empty, current, valid, errors, errorLines, fieldErrors, error: validation.error };
}
