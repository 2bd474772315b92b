import { describe, expect, it } from "vitest";
import {
  countStates,
  defaultSort,
  filterTrials,
  nextSort,
  parameterNames,
  sortTrials,
  type TableTrial,
  trialColumns,
  trialDuration,
} from "./trial-table.ts";

function trial(number: number, fields: Partial<TableTrial> = {}): TableTrial {
  return {
    id: `t${number}`,
    number,
    state: "completed",
    values: null,
    params: {},
    lastStep: 0,
    attempts: 1,
    startedAt: null,
    finishedAt: null,
    ...fields,
  };
}

const objectives = [{ metric: "val_loss", direction: "minimize" as const }];

describe("trial table", () => {
  const trials = [
    trial(0, { values: [2.5], params: { lr: 0.01, layers: 2, norm: "pre" }, state: "completed" }),
    trial(1, { values: null, params: { lr: 0.001, layers: 4 }, state: "running" }),
    trial(2, { values: [1.5], params: { lr: 0.003, layers: 4, norm: "post" }, state: "completed" }),
    trial(3, { values: [1.5], params: { lr: 0.1, layers: 10 }, state: "pruned" }),
  ];
  const columns = trialColumns(objectives, ["lr", "layers", "norm"]);
  const numbers = (sorted: TableTrial[]) => sorted.map((entry) => entry.number);

  it("has number, state, objectives, parameters, steps, attempts and duration columns", () => {
    expect(columns.map((column) => column.id)).toEqual([
      "number",
      "state",
      "objective:0",
      "param:lr",
      "param:layers",
      "param:norm",
      "steps",
      "attempts",
      "duration",
    ]);
    expect(columns.find((column) => column.id === "objective:0")?.label).toBe("val_loss");
  });

  it("sorts by an objective, empty values last either way, ties by number", () => {
    const sort = (direction: "asc" | "desc") =>
      numbers(sortTrials(trials, columns, { column: "objective:0", direction }, 0));
    expect(sort("asc")).toEqual([2, 3, 0, 1]);
    expect(sort("desc")).toEqual([0, 2, 3, 1]);
  });

  it("sorts parameters as numbers, not as text, and states in lifecycle order", () => {
    expect(
      numbers(sortTrials(trials, columns, { column: "param:layers", direction: "asc" }, 0)),
    ).toEqual([0, 1, 2, 3]);
    expect(
      numbers(sortTrials(trials, columns, { column: "param:norm", direction: "desc" }, 0)),
    ).toEqual([0, 2, 1, 3]);
    expect(numbers(sortTrials(trials, columns, { column: "state", direction: "asc" }, 0))).toEqual([
      1, 0, 2, 3,
    ]);
  });

  it("sorts numbers before text in a mixed categorical column", () => {
    const mixed = [trial(0, { params: { p: "b" } }), trial(1, { params: { p: 3 } })];
    const pColumns = trialColumns([], ["p"]);
    expect(
      numbers(sortTrials(mixed, pColumns, { column: "param:p", direction: "asc" }, 0)),
    ).toEqual([1, 0]);
  });

  it("measures duration to the finish, or to now while running", () => {
    const started = new Date("2026-01-01T00:00:00Z");
    const finished = new Date("2026-01-01T00:01:30Z");
    expect(trialDuration(trial(0, { startedAt: started, finishedAt: finished }), 0)).toBe(90_000);
    expect(
      trialDuration(trial(0, { startedAt: started.toISOString() }), started.getTime() + 5),
    ).toBe(5);
    expect(trialDuration(trial(0), 100)).toBeNull();
  });

  it("filters by state, and keeps everything when no state is chosen", () => {
    expect(numbers(filterTrials(trials, new Set(["completed", "pruned"])))).toEqual([0, 2, 3]);
    expect(filterTrials(trials, new Set())).toHaveLength(4);
    expect(countStates(trials)).toEqual([
      ["running", 1],
      ["completed", 2],
      ["pruned", 1],
    ]);
  });

  it("flips the direction on a second click, and starts time columns largest first", () => {
    const lr = columns.find((column) => column.id === "param:lr");
    const duration = columns.find((column) => column.id === "duration");
    if (!lr || !duration) throw new Error("columns missing");
    expect(nextSort({ column: "number", direction: "asc" }, lr)).toEqual({
      column: "param:lr",
      direction: "asc",
    });
    expect(nextSort({ column: "param:lr", direction: "asc" }, lr).direction).toBe("desc");
    expect(nextSort({ column: "number", direction: "asc" }, duration).direction).toBe("desc");
  });

  it("sorts by the first objective, best first, by default", () => {
    expect(defaultSort(objectives)).toEqual({ column: "objective:0", direction: "asc" });
    expect(defaultSort([{ metric: "tokens_per_s", direction: "maximize" }]).direction).toBe("desc");
    expect(defaultSort([])).toEqual({ column: "number", direction: "asc" });
  });

  it("takes parameter columns from the search space, then any others the trials have", () => {
    const space = { lr: { type: "float" }, heads: { type: "fixed" }, layers: { type: "int" } };
    expect(parameterNames(space, [trial(0, { params: { lr: 1, zeta: 2, alpha: 3 } })])).toEqual([
      "lr",
      "layers",
      "alpha",
      "zeta",
    ]);
  });
});
