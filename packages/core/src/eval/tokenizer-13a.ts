/**
 * sacreBLEU's default BLEU tokenizer "13a" (tokenizers/tokenizer_13a.py and tokenizer_re.py), the
 * tokenization of mteval-v13a.pl that WMT uses: punctuation and symbols become tokens of their own,
 * except a period or comma between digits and a dash after one.
 */
import { splitWhitespace } from "./text.ts";

const rules: readonly [RegExp, string][] = [
  // Symbols and punctuation: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
  [/([{-~[-` -&(-+:-@/])/g, " $1 "],
  // A period or comma, unless preceded by a digit ...
  [/([^0-9])([.,])/g, "$1 $2 "],
  // ... or unless followed by one.
  [/([.,])([^0-9])/g, " $1 $2"],
  // A dash after a digit.
  [/([0-9])(-)/g, "$1 $2 "],
];

export function tokenize13a(line: string): string {
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (text.includes("&")) {
    text = text
      .replaceAll("&quot;", '"')
      .replaceAll("&amp;", "&")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
  }
  text = ` ${text} `;
  for (const [pattern, replacement] of rules) text = text.replace(pattern, replacement);
  return splitWhitespace(text).join(" ");
}
