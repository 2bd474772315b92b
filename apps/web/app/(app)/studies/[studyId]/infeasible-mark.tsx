"use client";
// Marks a trial that broke its study's measured constraints; its name and tooltip say which, and by
// how much.
import type { ConstraintViolation } from "@attune/core/spec";
import { describeViolations } from "~/lib/feasibility.ts";
import styles from "./study.module.css";

export function InfeasibleMark({ violations }: { violations: readonly ConstraintViolation[] }) {
  const words = describeViolations(violations);
  return (
    <span
      className={styles.infeasibleMark}
      role="img"
      aria-label={words}
      title={words}
      data-testid="infeasible-mark"
    >
      ⊘
    </span>
  );
}
