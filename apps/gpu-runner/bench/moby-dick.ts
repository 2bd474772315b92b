import { loadCorpus } from "@attune/core/data";

/** The first `characters` of Moby Dick, a realistic text for benchmarks. */
export async function mobyDickSample(characters: number): Promise<string> {
  const corpus = await loadCorpus("moby-dick");
  return corpus.samples
    .map((sample) => sample.text)
    .join("\n")
    .slice(0, characters);
}
