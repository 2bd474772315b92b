// Instruction data's prompt and completion lengths apart: a summary's input is long and its output
// short, and the sequence length has to hold both.
import { EChart } from "~/components/echart.tsx";
import { Card } from "~/components/ui.tsx";
import { type LengthHistogram, lengthHistogramOption } from "~/lib/dataset-stats.ts";
import styles from "./dataset.module.css";

export function InstructionLengths({
  prompt,
  completion,
  examples,
}: {
  prompt: LengthHistogram;
  completion: LengthHistogram;
  examples: number;
}) {
  return (
    <Card title="Prompt and completion lengths" testId="instruction-lengths">
      <p className="muted small">
        Prompt: every token not trained on (the template's markers, system and user turns).
        Completion: the tokens the loss is on (the assistant's answers, with their end marker).
      </p>
      <div className={styles.columns}>
        {(
          [
            ["prompt", prompt],
            ["completion", completion],
          ] as const
        ).map(([part, histogram]) => (
          <EChart
            key={part}
            option={lengthHistogramOption(histogram, undefined, `${part} length`)}
            ariaLabel={`Histogram of ${part} lengths in tokens over ${examples} examples`}
            height={260}
            testId={`${part}-length-chart`}
          />
        ))}
      </div>
    </Card>
  );
}
