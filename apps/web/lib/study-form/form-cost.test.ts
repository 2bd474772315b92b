import { describe, expect, it } from "vitest";
import { costliestTrial, formBudget, formWallTimeMinutes } from "./form-cost.ts";
import { defaultStudyForm, type ParamRow, type StudyForm } from "./form-state.ts";

function withRow(form: StudyForm, name: string, partial: Partial<ParamRow>): StudyForm {
  return {
    ...form,
    settings: { ...form.settings, [name]: { ...(form.settings[name] as ParamRow), ...partial } },
  };
}

describe("costliestTrial", () => {
  it("takes fixed values, the largest of numeric choices and the high end of ranges", () => {
    // The default form: batch_size 16 or 32, layers 2 or 3, the LR from 0.0001 to 0.01.
    expect(costliestTrial(defaultStudyForm())).toEqual({
      lr: 0.01,
      batch_size: 32,
      schedule: "cosine",
      warmup_steps: 20,
      seq_len: 64,
      layers: 3,
      d_model: 128,
      heads: 4,
    });
  });

  it("leaves a number still being typed to its default, and takes the first of other choices", () => {
    let form = withRow(defaultStudyForm(), "seq_len", { mode: "fixed", value: "1e" });
    form = withRow(form, "schedule", { mode: "choices", choices: "lin, constant, cosine" });
    const settings = costliestTrial(form);
    expect(settings).not.toHaveProperty("seq_len");
    expect(settings.schedule).toBe("constant");
  });
});

describe("formBudget and formWallTimeMinutes", () => {
  it("read the trial's length in its unit and the limit, while they are positive numbers", () => {
    const form = defaultStudyForm();
    expect(formBudget(form)).toEqual({ steps: 200 });
    expect(
      formBudget({ ...form, budget: { ...form.budget, unit: "tokens", length: "50000" } }),
    ).toEqual({
      tokens: 50_000,
    });
    expect(formBudget({ ...form, budget: { ...form.budget, length: "" } })).toBe(undefined);
    expect(formWallTimeMinutes(form)).toBe(undefined);
    expect(
      formWallTimeMinutes({ ...form, budget: { ...form.budget, wallTimeMinutes: "90" } }),
    ).toBe(90);
  });
});
