// Spec ↔ text: YAML or JSON, and where text does not parse.
import {
  isMap,
  isSeq,
  parse as parseYaml,
  visit as visitYaml,
  Document as YamlDocument,
} from "yaml";

export type SpecFormat = "yaml" | "json";

/** YAML with lists of plain values on one line (`choices: [16, 32]`), or indented JSON. */
export function specToText(spec: unknown, format: SpecFormat): string {
  if (format === "json") return `${JSON.stringify(spec, null, 2)}\n`;
  const document = new YamlDocument(spec);
  visitYaml(document, {
    Seq(_, node) {
      if (node.items.every((item) => !isMap(item) && !isSeq(item))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0 });
}

/** JSON when the text is a JSON object, YAML otherwise. */
export function detectFormat(text: string): SpecFormat {
  return text.trimStart().startsWith("{") ? "json" : "yaml";
}

export type TextRead =
  | { ok: true; value: unknown }
  | { ok: false; message: string; line: number | undefined };

/** The text as data (JSON is YAML), or why it does not parse. */
export function readSpecText(text: string): TextRead {
  try {
    return { ok: true, value: parseYaml(text, { prettyErrors: true }) };
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    const message = ((error as Error).message.split("\n")[0] ?? "").replace(/[:.]$/, "");
    return { ok: false, message, line };
  }
}

/** The character offset where a 1-based line starts, for moving the editor's caret there. */
export function offsetOfLine(source: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = source.indexOf("\n", offset);
    if (next < 0) return source.length;
    offset = next + 1;
  }
  return offset;
}

export interface SpecErrorLike {
  path: string;
  message: string;
  line?: number;
}

/**
 * The form section an error belongs to: a setting's name for `fixed.x` and `searchSpace.x...`,
 * `budget.x`, or the spec's top-level field (`sampler`, `objectives`, ...).
 */
export function errorField(path: string): string {
  const parts = path.split(/[.[]/);
  const [head, second] = parts;
  if ((head === "fixed" || head === "searchSpace") && second) return second;
  if (head === "budget" && second) return `budget.${second}`;
  return head ?? "";
}
