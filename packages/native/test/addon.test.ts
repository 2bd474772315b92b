import { afterEach, describe, expect, it } from "vitest";
import { chooseOpenBlasCoreType, coreTypeForFlags } from "../src/addon.ts";

const original = process.env.OPENBLAS_CORETYPE;
afterEach(() => {
  if (original === undefined) delete process.env.OPENBLAS_CORETYPE;
  else process.env.OPENBLAS_CORETYPE = original;
});

describe("OpenBLAS core type", () => {
  it("follows the CPU's vector extensions", () => {
    const avx2 = ["sse4_2", "avx", "avx2", "fma"];
    expect(
      coreTypeForFlags(new Set([...avx2, "avx512f", "avx512bw", "avx512dq", "avx512vl"])),
    ).toBe("SkylakeX");
    expect(coreTypeForFlags(new Set([...avx2, "avx512f"]))).toBe("Haswell");
    expect(coreTypeForFlags(new Set(avx2))).toBe("Haswell");
    expect(coreTypeForFlags(new Set(["sse2", "sse4_2", "avx"]))).toBeUndefined();
  });

  it("keeps an OPENBLAS_CORETYPE that is already set", () => {
    process.env.OPENBLAS_CORETYPE = "Prescott";
    expect(chooseOpenBlasCoreType()).toBe("Prescott");
    expect(process.env.OPENBLAS_CORETYPE).toBe("Prescott");
  });

  it("otherwise sets the one chosen for this CPU, for OpenBLAS and child processes", () => {
    delete process.env.OPENBLAS_CORETYPE;
    const chosen = chooseOpenBlasCoreType();
    expect(process.env.OPENBLAS_CORETYPE).toBe(chosen);
  });
});
