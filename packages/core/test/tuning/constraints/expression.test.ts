import { describe, expect, it } from "vitest";
import {
  constraintValue,
  EXPRESSION_MAX_LENGTH,
  ExpressionError,
  evaluate,
  holds,
  parseComparison,
} from "../../../src/tuning/constraints/expression.ts";

/** The error parseComparison throws for the text: its column and reason. */
function syntaxError(text: string): { column: number; reason: string } {
  try {
    parseComparison(text);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { column: error.column, reason: error.reason };
  }
  throw new Error(`"${text}" parsed`);
}

const values: Record<string, number> = { d_model: 96, heads: 4, batch_size: 32, seq_len: 2048 };
const lookup = (name: string) => values[name] as number;

/** Both sides of a comparison, evaluated. */
function sides(text: string): [number, number] {
  const { left, right } = parseComparison(text);
  return [evaluate(left, lookup), evaluate(right, lookup)];
}

describe("constraint expressions", () => {
  it("reads numbers in every written form, names, and the six comparisons", () => {
    expect(sides("1 <= 20e6")).toEqual([1, 20e6]);
    expect(sides("1.5e-3 < .25")).toEqual([0.0015, 0.25]);
    expect(sides("2E+2 >= 7.")).toEqual([200, 7]);
    for (const operator of ["<=", "<", ">=", ">", "==", "!="]) {
      expect(parseComparison(`d_model ${operator} heads`).operator).toBe(operator);
    }
    expect(parseComparison("batch_size * seq_len <= batch_size + 1").names).toEqual([
      "batch_size",
      "seq_len",
    ]);
  });

  it("binds * / % tighter than + -, left to right, with parentheses and unary signs", () => {
    expect(sides("1 + 2 * 3 == (1 + 2) * 3")).toEqual([7, 9]);
    expect(sides("10 - 4 - 3 == 12 / 3 / 2")).toEqual([3, 2]);
    expect(sides("d_model % heads == d_model % 7 * 2")).toEqual([0, 10]);
    expect(sides("-heads == - -heads")).toEqual([-4, 4]);
    expect(sides("+2 * -(1 + 2) == 0")).toEqual([-6, 0]);
    expect(sides("batch_size * seq_len <= 65536")).toEqual([65536, 65536]);
  });

  it.each([
    ["", 1, 'expected a number, a name or "(", found the end'],
    ["d_model % heads", 16, "expected a comparison (<=, >=, ==, !=, <, >), found the end"],
    ["d_model % heads = 0", 17, 'unexpected "=" (to compare, write "==")'],
    ["(batch_size * seq_len <= 4", 23, 'expected ")" to close the "(" at column 1, found "<="'],
    [
      "1 < batch_size < 64",
      16,
      "one comparison per constraint: write the second as a constraint of its own",
    ],
    ["lr * 2 <= 1e", 11, '"1e" is not a number'],
    ["2heads <= 8", 1, '"2heads" is not a number'],
    ["heads ** 2 <= 8", 8, 'expected a number, a name or "(", found "*"'],
    ["heads <= 8 heads", 12, 'expected the end or an operator, found "heads"'],
    ["Math.max(1) <= 2", 5, 'unexpected "."'],
    ["heads ≤ 8", 7, 'unexpected "≤"'],
  ])("refuses %j at column %i: %s", (text, column, reason) => {
    expect(syntaxError(text)).toEqual({ column, reason });
  });

  it("says the column in its message", () => {
    expect(new ExpressionError("unexpected", 3).message).toBe("column 3: unexpected");
  });

  it("refuses texts too long or nested too deep to be constraints", () => {
    expect(syntaxError(`1 <= ${"1 + ".repeat(200)}1`).reason).toBe(
      `longer than ${EXPRESSION_MAX_LENGTH} characters`,
    );
    expect(syntaxError(`${"(".repeat(70)}1${")".repeat(70)} <= 2`)).toEqual({
      column: 66,
      reason: "nested more than 64 deep",
    });
    expect(syntaxError(`${"-".repeat(70)}1 <= 2`).reason).toBe("nested more than 64 deep");
  });

  it("checks a comparison as written, and never where a side is not a number", () => {
    expect(holds(parseComparison("d_model % heads == 0"), lookup)).toBe(true);
    expect(holds(parseComparison("d_model % 5 == 0"), lookup)).toBe(false);
    expect(holds(parseComparison("heads < 4"), lookup)).toBe(false);
    expect(holds(parseComparison("heads <= 4"), lookup)).toBe(true);
    expect(holds(parseComparison("heads != 4"), lookup)).toBe(false);
    expect(holds(parseComparison("heads / 0 > 1"), lookup)).toBe(false);
  });

  it("gives Optuna's constraint value: at most 0 when satisfied, else how far it misses", () => {
    const value = (text: string, measured: Record<string, number>) =>
      constraintValue(parseComparison(text), (name) => measured[name] as number);
    expect(value("param_count <= 20e6", { param_count: 25e6 })).toBe(5e6);
    expect(value("param_count <= 20e6", { param_count: 15e6 })).toBe(-5e6);
    expect(value("tokens_per_s >= 5000", { tokens_per_s: 4000 })).toBe(1000);
    expect(value("tokens_per_s > 5000", { tokens_per_s: 5000 })).toBe(0);
    expect(value("param_count == 1000", { param_count: 900 })).toBe(100);
    expect(value("tokens_per_s >= 5000", { tokens_per_s: Number.NaN })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => value("param_count != 5", { param_count: 5 })).toThrow(/no distance/);
  });
});
