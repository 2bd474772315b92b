// Generated samples of trials (schema/samples.ts): written by runners at each evaluation, read by
// the trial page beside the task metrics' curves.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { generationSamples } from "../schema/index.ts";

export type GenerationSampleRow = typeof generationSamples.$inferSelect;
export type NewGenerationSample = Omit<typeof generationSamples.$inferInsert, "recordedAt">;

/** Writes samples, replacing any stored for the same (trial, step, position): runs resume. */
export async function writeGenerationSamples(
  db: Executor,
  samples: readonly NewGenerationSample[],
): Promise<void> {
  if (samples.length === 0) return;
  await db
    .insert(generationSamples)
    .values([...samples])
    .onConflictDoUpdate({
      target: [generationSamples.trialId, generationSamples.step, generationSamples.position],
      set: {
        prompt: sql`excluded.prompt`,
        reference: sql`excluded.reference`,
        generated: sql`excluded.generated`,
        recordedAt: sql`excluded.recorded_at`,
      },
    });
}

/** The evaluation steps of a trial that have samples, latest first. */
export async function sampleSteps(db: Executor, trialId: string): Promise<number[]> {
  const rows = await db
    .selectDistinct({ step: generationSamples.step })
    .from(generationSamples)
    .where(eq(generationSamples.trialId, trialId))
    .orderBy(desc(generationSamples.step));
  return rows.map((row) => row.step);
}

/** The samples of one evaluation of a trial, in their positions' order. */
export async function readGenerationSamples(
  db: Executor,
  trialId: string,
  step: number,
): Promise<GenerationSampleRow[]> {
  return db
    .select()
    .from(generationSamples)
    .where(and(eq(generationSamples.trialId, trialId), eq(generationSamples.step, step)))
    .orderBy(asc(generationSamples.position));
}
