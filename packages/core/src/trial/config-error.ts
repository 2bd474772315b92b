/** A trial's settings cannot be built into a model and training run; retrying will not help. */
export class TrialConfigError extends Error {
  /** Each problem on its own, naming the setting. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join("; "));
    this.name = "TrialConfigError";
    this.problems = problems;
  }
}
