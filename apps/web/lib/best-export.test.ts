import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type BestConfiguration, exportFileName, exportText } from "./best-export.ts";

const best: BestConfiguration = {
  studyId: "s1",
  trialNumber: 12,
  isBest: true,
  objectives: [
    { metric: "val_loss", direction: "minimize" },
    { metric: "param_count", direction: "minimize" },
  ],
  values: [1.25, 80_000],
  config: { lr: 0.003, layers: 4, norm: "pre", tie_embeddings: true },
};

describe("exportText", () => {
  it("writes the configuration alone as JSON, as the CLI does", () => {
    const text = exportText(best, "json");
    expect(JSON.parse(text)).toEqual(best.config);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("writes YAML that parses back to the configuration, under a comment naming its trial", () => {
    const text = exportText(best, "yaml");
    expect(parse(text)).toEqual(best.config);
    expect(text.split("\n")[0]).toBe("# Best configuration of study s1: trial 12");
    expect(text).toContain("# val_loss 1.25, param_count 80000 (minimize, minimize)");
  });

  it("names another trial of the front a configuration, not the best", () => {
    const text = exportText({ ...best, isBest: false }, "yaml");
    expect(text.split("\n")[0]).toBe("# Configuration of study s1: trial 12");
  });
});

describe("exportFileName", () => {
  it("makes the study's name safe for a file", () => {
    expect(exportFileName("Tiny GPT: lr / warmup!", 3, "yaml")).toBe(
      "tiny-gpt-lr-warmup-trial-3.yaml",
    );
    expect(exportFileName("***", 0, "json")).toBe("study-trial-0.json");
  });
});
