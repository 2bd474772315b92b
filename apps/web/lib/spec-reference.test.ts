import { studySpecReference } from "@attune/core/spec";
import { describe, expect, it } from "vitest";
import { renderReference } from "./spec-reference.ts";
import { REFERENCE_SECTIONS } from "./spec-reference-links.ts";

describe("renderReference", () => {
  it("gives every section the form links to the id its link names", async () => {
    const html = await renderReference(studySpecReference());
    for (const href of Object.values(REFERENCE_SECTIONS)) {
      const id = href.split("#")[1];
      expect(html, href).toContain(`id="${id}"`);
    }
  });

  it("keeps web links and anchors, and turns links to the repository's files into text", async () => {
    const html = await renderReference(
      "See [examples/](../examples/), [fields](#fields) and [Optuna](https://optuna.org).",
    );
    expect(html).toContain("See examples/, ");
    expect(html).toContain('<a href="#fields">fields</a>');
    expect(html).toContain('<a href="https://optuna.org">Optuna</a>');
  });
});
