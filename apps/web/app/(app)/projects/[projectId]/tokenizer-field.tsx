// The tokenizer a dataset is measured (and later trained) with, for both ways of adding one.
import type { RouterInputs } from "~/lib/trpc.tsx";

export type Tokenizer = RouterInputs["datasets"]["upload"]["tokenizer"];

const TOKENIZERS: { value: Tokenizer; label: string }[] = [
  { value: "char", label: "char: one token per character" },
  { value: "byte", label: "byte: 256 byte values" },
  { value: "gpt2", label: "gpt2: GPT-2 BPE, 50,257 tokens" },
];

export function TokenizerField({
  value,
  onChange,
}: {
  value: Tokenizer;
  onChange: (tokenizer: Tokenizer) => void;
}) {
  return (
    <label className="field">
      <span>Tokenizer</span>
      <select value={value} onChange={(event) => onChange(event.target.value as Tokenizer)}>
        {TOKENIZERS.map((tokenizer) => (
          <option key={tokenizer.value} value={tokenizer.value}>
            {tokenizer.label}
          </option>
        ))}
      </select>
    </label>
  );
}
