import { describe, expect, it } from "vitest";
import { describeViolations } from "./feasibility.ts";

describe("describeViolations", () => {
  it("names each broken constraint with by how much, in its units", () => {
    expect(
      describeViolations([
        { constraint: "param_count <= 20e6", by: 5e6 },
        { constraint: "tokens_per_s >= 5000", by: 1000.25 },
      ]),
    ).toBe(
      "Infeasible: param_count <= 20e6 missed by 5.00e+6; tokens_per_s >= 5000 missed by 1000",
    );
  });
});
