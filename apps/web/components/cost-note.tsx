"use client";
// What a recommendation costs on the team's runners, beside it, with its warning when a trial
// would take much longer (role="status": a change of the form announces the new warning).
import type { CostAdvice } from "~/lib/cost-advice.ts";

export function CostNote({ advice }: { advice: CostAdvice | undefined }) {
  if (!advice) return null;
  return (
    <>
      {" "}
      <span className="muted" data-testid="cost-advice">
        Cost: {advice.text}.
      </span>
      {advice.warning && (
        <>
          {" "}
          <span className="warn" role="status" data-testid="cost-warning">
            {advice.warning}
          </span>
        </>
      )}
    </>
  );
}
