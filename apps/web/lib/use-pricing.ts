"use client";
import { useQuery } from "@tanstack/react-query";
import type { Pricing } from "./cost-advice.ts";
import { useTRPC } from "./trpc.tsx";

/** The speed the project's team's runners measured (runners.throughput); undefined while loading. */
export function useRunnerSpeed(projectId: string): { flopsPerSecond: number | null } | undefined {
  const trpc = useTRPC();
  const throughput = useQuery({
    ...trpc.runners.throughput.queryOptions({ projectId }),
    // A runner's speed changes slowly; new measurements come with finished trials.
    staleTime: 60_000,
  });
  return throughput.data;
}

/**
 * How trials on the dataset are priced: at its vocabulary (which sizes the model's embeddings) and
 * the runners' speed. Undefined while the speed is loading or the dataset has no statistics.
 */
export function pricingFor(
  dataset: { statistics: { vocabularySize: number } | null } | undefined,
  speed: { flopsPerSecond: number | null } | undefined,
): Pricing | undefined {
  const vocabSize = dataset?.statistics?.vocabularySize;
  if (vocabSize === undefined || !speed) return undefined;
  return { vocabSize, flopsPerSecond: speed.flopsPerSecond };
}
