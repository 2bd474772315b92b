// The kinds of dataset the database stores, free of database code so the web app's browser bundle
// can offer them in forms.

/** How stored content is read: plain text, or JSONL of text samples, prompt/completion pairs or chats. */
export const DATASET_FORMATS = ["text", "jsonl", "prompt-completion", "chat"] as const;
export type StoredDatasetFormat = (typeof DATASET_FORMATS)[number];

/** What a dataset is for. */
export const DATASET_TASKS = [
  "language-modelling",
  "classification",
  "instruction",
  "dialogue",
] as const;
export type DatasetTask = (typeof DATASET_TASKS)[number];

export const TOKENIZER_KINDS = ["char", "byte", "gpt2"] as const;
