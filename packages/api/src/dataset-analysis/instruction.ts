// Instruction data as a model trains on it: rendered with a chat template, tokenized, and masked so
// that only the completion (the assistant turns) is learnt.
import {
  type ChatTemplate,
  datasetTokenizer,
  type EncodedExample,
  type EncodingOptions,
  encodeInstructionExamples,
  type InstructionDataset,
  type RenderedExample,
  renderExamples,
  renderedCorpus,
  type Tokenizer,
  type TokenizerKind,
} from "@attune/core/data";

/** A stretch of a rendered example whose tokens are all trained on, or all not. */
export interface ExampleSegment {
  text: string;
  trained: boolean;
  tokens: number;
}

export interface RenderedExampleView {
  /** The example's line in its file (its position in a built-in corpus). */
  line: number;
  segments: ExampleSegment[];
}

/** A char tokenizer's vocabulary is the rendered text's characters, template markers included. */
export function instructionTokenizer(
  kind: TokenizerKind,
  rendered: readonly RenderedExample[],
  template: ChatTemplate,
): Tokenizer {
  return datasetTokenizer(kind, { samples: [{ text: renderedCorpus(rendered, template) }] });
}

/** Each example's length in tokens, rendered. */
export function instructionLengths(
  dataset: InstructionDataset,
  kind: TokenizerKind,
  template: ChatTemplate,
  options: EncodingOptions,
): number[] {
  const rendered = renderExamples(dataset.examples, template);
  const tokenizer = instructionTokenizer(kind, rendered, template);
  return encodeInstructionExamples(rendered, tokenizer, template, options).map(
    (example) => example.tokens.length,
  );
}

/**
 * Example `index` rendered, in segments marking the tokens trained on. A char tokenizer built from
 * this example alone splits it as the whole dataset's would: one token per character.
 */
export function renderedExample(
  dataset: InstructionDataset,
  index: number,
  kind: TokenizerKind,
  template: ChatTemplate,
  options: EncodingOptions,
): RenderedExampleView {
  const example = dataset.examples[index];
  if (example === undefined) {
    throw new RangeError(`no example ${index}: the dataset has ${dataset.examples.length}`);
  }
  const rendered = renderExamples([example], template);
  const tokenizer = instructionTokenizer(kind, rendered, template);
  const [encoded] = encodeInstructionExamples(rendered, tokenizer, template, options);
  return {
    line: example.line,
    segments: segmentsOf(encoded as EncodedExample, tokenizer, template.eosToken),
  };
}

/** Runs of tokens with the same mask, decoded; end-of-text reads as the template's eos_token. */
function segmentsOf(
  encoded: EncodedExample,
  tokenizer: Tokenizer,
  eosToken: string,
): ExampleSegment[] {
  const segments: ExampleSegment[] = [];
  let start = 0;
  encoded.mask.forEach((trained, position) => {
    if (encoded.mask[position + 1] === trained) return;
    const tokens = encoded.tokens.slice(start, position + 1);
    segments.push({
      text: decodeTurns(tokens, tokenizer, eosToken),
      trained: trained === 1,
      tokens: tokens.length,
    });
    start = position + 1;
  });
  return segments;
}

function decodeTurns(tokens: readonly number[], tokenizer: Tokenizer, eosToken: string): string {
  const turns: number[][] = [[]];
  for (const token of tokens) {
    if (token === tokenizer.endOfText) turns.push([]);
    else turns.at(-1)?.push(token);
  }
  return turns.map((turn) => tokenizer.decode(turn)).join(eosToken);
}
