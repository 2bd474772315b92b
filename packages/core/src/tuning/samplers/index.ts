import { z } from "zod";
import { GridSampler, gridSettingsSchema } from "./grid.ts";
import { Nsga2Sampler, nsga2SettingsSchema } from "./nsga2.ts";
import { RandomSampler, randomSettingsSchema } from "./random.ts";
import type { Sampler } from "./sampler.ts";
import { SobolSampler, sobolSettingsSchema } from "./sobol.ts";
import { TpeSampler, tpeSettingsSchema } from "./tpe.ts";

/** The sampler part of a study spec: a kind and that sampler's settings. */
export const samplerSpecSchema = z.discriminatedUnion("kind", [
  randomSettingsSchema.extend({ kind: z.literal("random") }),
  gridSettingsSchema.extend({ kind: z.literal("grid") }),
  sobolSettingsSchema.extend({ kind: z.literal("sobol") }),
  tpeSettingsSchema.extend({ kind: z.literal("tpe") }),
  nsga2SettingsSchema.extend({ kind: z.literal("nsga2") }),
]);
export type SamplerSpec = z.output<typeof samplerSpecSchema>;
export type SamplerSpecInput = z.input<typeof samplerSpecSchema>;

/** The sampler a spec names; the seed fixes what a sampler draws once (Sobol's scramble). */
export function createSampler(spec: SamplerSpec, seed = 0): Sampler {
  switch (spec.kind) {
    case "random":
      return new RandomSampler();
    case "grid":
      return new GridSampler(withoutKind(spec));
    case "sobol":
      return new SobolSampler(withoutKind(spec), seed);
    case "tpe":
      return new TpeSampler(withoutKind(spec));
    case "nsga2":
      return new Nsga2Sampler(withoutKind(spec));
  }
}

function withoutKind<Spec extends { kind: string }>(spec: Spec): Omit<Spec, "kind"> {
  const { kind: _kind, ...settings } = spec;
  return settings;
}
