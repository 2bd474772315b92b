// The small language of a study's constraints: one comparison of two arithmetic expressions over
// numbers and names, such as `batch_size * seq_len <= 65536`. Parsed by hand, never evaluated as
// code: numbers (20e6, 0.5, .5), names, + - * / %, unary minus, parentheses, and exactly one of
// <= < >= > == !=. A syntax error says at which column (from 1) it is.

export type ComparisonOperator = "<=" | "<" | ">=" | ">" | "==" | "!=";
export type ArithmeticOperator = "+" | "-" | "*" | "/" | "%";

export type Expression =
  | { kind: "number"; value: number }
  | { kind: "name"; name: string }
  | { kind: "negate"; operand: Expression }
  | { kind: "arithmetic"; operator: ArithmeticOperator; left: Expression; right: Expression };

export interface Comparison {
  left: Expression;
  operator: ComparisonOperator;
  right: Expression;
  /** The names it reads, each once, in the order they first appear. */
  names: string[];
}

/** A syntax error at a column of the text, counted from 1. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";

  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`column ${column}: ${reason}`);
  }
}

/** Long enough for any sensible constraint; bounds the work a spec can ask of the parser. */
export const EXPRESSION_MAX_LENGTH = 500;
/** Parentheses and signs nest at most this deep, so a hostile text cannot exhaust the stack. */
const MAX_DEPTH = 64;

const COMPARISONS: readonly ComparisonOperator[] = ["<=", ">=", "==", "!=", "<", ">"];

interface Token {
  kind: "number" | "name" | "symbol" | "end";
  /** As written; empty at the end. */
  text: string;
  column: number;
}

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at);
    const column = at + 1;
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      // "2e" or "1.5x" run into a letter: a typo, not a number followed by a name.
      const word = number[0] + (/^[A-Za-z0-9_.]*/.exec(rest.slice(number[0].length))?.[0] ?? "");
      if (word !== number[0]) throw new ExpressionError(`"${word}" is not a number`, column);
      tokens.push({ kind: "number", text: number[0], column });
      at += number[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ kind: "name", text: name[0], column });
      at += name[0].length;
      continue;
    }
    const symbol =
      COMPARISONS.find((operator) => rest.startsWith(operator)) ??
      ["+", "-", "*", "/", "%", "(", ")"].find((operator) => rest.startsWith(operator));
    if (symbol === undefined) {
      const hint = rest.startsWith("=") ? ' (to compare, write "==")' : "";
      const character = String.fromCodePoint(rest.codePointAt(0) ?? 0);
      throw new ExpressionError(`unexpected "${character}"${hint}`, column);
    }
    tokens.push({ kind: "symbol", text: symbol, column });
    at += symbol.length;
  }
  tokens.push({ kind: "end", text: "", column: text.length + 1 });
  return tokens;
}

/** Parses one constraint; throws an ExpressionError saying what is wrong and at which column. */
export function parseComparison(text: string): Comparison {
  if (text.length > EXPRESSION_MAX_LENGTH) {
    throw new ExpressionError(
      `longer than ${EXPRESSION_MAX_LENGTH} characters`,
      EXPRESSION_MAX_LENGTH + 1,
    );
  }
  const tokens = tokenize(text);
  let position = 0;
  const names: string[] = [];
  const peek = () => tokens[position] as Token;
  const isSymbol = (token: Token, ...symbols: string[]) =>
    token.kind === "symbol" && symbols.includes(token.text);
  const describe = (token: Token) => (token.kind === "end" ? "the end" : `"${token.text}"`);

  const sum = (depth: number): Expression => {
    let left = product(depth);
    for (let token = peek(); isSymbol(token, "+", "-"); token = peek()) {
      position++;
      const operator = token.text as ArithmeticOperator;
      left = { kind: "arithmetic", operator, left, right: product(depth) };
    }
    return left;
  };
  const product = (depth: number): Expression => {
    let left = unary(depth);
    for (let token = peek(); isSymbol(token, "*", "/", "%"); token = peek()) {
      position++;
      const operator = token.text as ArithmeticOperator;
      left = { kind: "arithmetic", operator, left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): Expression => {
    const token = peek();
    if (depth > MAX_DEPTH) {
      throw new ExpressionError(`nested more than ${MAX_DEPTH} deep`, token.column);
    }
    if (isSymbol(token, "-", "+")) {
      position++;
      const operand = unary(depth + 1);
      return token.text === "-" ? { kind: "negate", operand } : operand;
    }
    return primary(depth);
  };
  const primary = (depth: number): Expression => {
    const token = peek();
    position++;
    if (token.kind === "number") return { kind: "number", value: Number(token.text) };
    if (token.kind === "name") {
      if (!names.includes(token.text)) names.push(token.text);
      return { kind: "name", name: token.text };
    }
    if (isSymbol(token, "(")) {
      const inner = sum(depth + 1);
      const closing = peek();
      if (!isSymbol(closing, ")")) {
        throw new ExpressionError(
          `expected ")" to close the "(" at column ${token.column}, found ${describe(closing)}`,
          closing.column,
        );
      }
      position++;
      return inner;
    }
    throw new ExpressionError(
      `expected a number, a name or "(", found ${describe(token)}`,
      token.column,
    );
  };

  const left = sum(0);
  const isComparison = (token: Token) => isSymbol(token, ...COMPARISONS);
  const comparison = peek();
  if (!isComparison(comparison)) {
    throw new ExpressionError(
      `expected a comparison (${COMPARISONS.join(", ")}), found ${describe(comparison)}`,
      comparison.column,
    );
  }
  position++;
  const right = sum(0);
  const end = peek();
  if (end.kind !== "end") {
    throw new ExpressionError(
      isComparison(end)
        ? "one comparison per constraint: write the second as a constraint of its own"
        : `expected the end or an operator, found ${describe(end)}`,
      end.column,
    );
  }
  return { left, operator: comparison.text as ComparisonOperator, right, names };
}

/** The expression's value, with each name's value from `lookup`. */
export function evaluate(expression: Expression, lookup: (name: string) => number): number {
  switch (expression.kind) {
    case "number":
      return expression.value;
    case "name":
      return lookup(expression.name);
    case "negate":
      return -evaluate(expression.operand, lookup);
    case "arithmetic": {
      const left = evaluate(expression.left, lookup);
      const right = evaluate(expression.right, lookup);
      switch (expression.operator) {
        case "+":
          return left + right;
        case "-":
          return left - right;
        case "*":
          return left * right;
        case "/":
          return left / right;
        case "%":
          return left % right;
      }
    }
  }
}

/** Whether the comparison holds for these values (never where a side is not a finite number). */
export function holds(comparison: Comparison, lookup: (name: string) => number): boolean {
  const left = evaluate(comparison.left, lookup);
  const right = evaluate(comparison.right, lookup);
  if (!Number.isFinite(left) || !Number.isFinite(right)) return false;
  switch (comparison.operator) {
    case "<=":
      return left <= right;
    case "<":
      return left < right;
    case ">=":
      return left >= right;
    case ">":
      return left > right;
    case "==":
      return left === right;
    case "!=":
      return left !== right;
  }
}

/**
 * Optuna's constraint value (constraints_func): at most 0 when the comparison holds, otherwise how
 * far it misses, in the units of its sides: `a <= b` gives a - b, `a >= b` gives b - a, `a == b`
 * gives |a - b|. A strict comparison counts as its non-strict one, as in Optuna, where 0 is
 * feasible. A side that is not a finite number is infinitely far. `!=` has no distance, so the
 * spec refuses it where a measured value is compared (see study-constraints.ts).
 */
export function constraintValue(comparison: Comparison, lookup: (name: string) => number): number {
  const left = evaluate(comparison.left, lookup);
  const right = evaluate(comparison.right, lookup);
  if (!Number.isFinite(left) || !Number.isFinite(right)) return Number.POSITIVE_INFINITY;
  switch (comparison.operator) {
    case "<=":
    case "<":
      return left - right;
    case ">=":
    case ">":
      return right - left;
    case "==":
      return Math.abs(left - right);
    case "!=":
      throw new Error("a != comparison has no distance from being satisfied");
  }
}
