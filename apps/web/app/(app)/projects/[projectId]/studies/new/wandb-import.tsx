"use client";
// Import of a Weights & Biases sweep config: the API maps it to the parts of a spec it determines,
// the page merges those into the spec, and every approximation is listed as a warning.
import type { WandbImport } from "@attune/core/spec";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote } from "~/components/ui.tsx";
import { useTRPCClient } from "~/lib/trpc.tsx";
import styles from "./new-study.module.css";

const EXAMPLE = `method: bayes
metric: { name: val_loss, goal: minimize }
run_cap: 8
parameters:
  lr: { distribution: log_uniform_values, min: 0.0001, max: 0.01 }
  layers: { values: [2, 3, 4] }`;

export function WandbImportPanel({ onImport }: { onImport: (imported: WandbImport) => void }) {
  const client = useTRPCClient();
  const [config, setConfig] = useState("");
  const [warnings, setWarnings] = useState<string[] | null>(null);
  const importSweep = useMutation({
    mutationFn: (text: string) => client.studies.importWandb.query({ config: text }),
    onSuccess: (imported) => {
      onImport(imported);
      setWarnings(imported.warnings);
    },
  });
  return (
    <div data-testid="wandb-import">
      <p className={`muted ${styles.panelIntro}`}>
        Paste a sweep config (YAML or JSON). Its metric, parameters, method, early termination and
        run cap replace the spec's objectives, search space, sampler, pruner and trial count; the
        dataset and the rest of the budget stay. Parameters named as Hugging Face's Trainer, PEFT's
        LoraConfig or nanoGPT name them (learning_rate, r, target_modules, n_layer…) are mapped onto
        Attune's settings, and the notes below say how.
      </p>
      <textarea
        aria-label="W&B sweep config"
        data-testid="wandb-config"
        rows={8}
        className={`code ${styles.sweepConfig}`}
        spellCheck={false}
        placeholder={EXAMPLE}
        value={config}
        onChange={(event) => setConfig(event.target.value)}
      />
      <p className={`row ${styles.rowsBelow}`}>
        <button
          type="button"
          className="button secondary"
          data-testid="wandb-import-button"
          disabled={config.trim() === "" || importSweep.isPending}
          onClick={() => {
            setWarnings(null);
            importSweep.mutate(config);
          }}
        >
          {importSweep.isPending ? "Importing…" : "Import into the spec"}
        </button>
        {warnings && warnings.length === 0 && (
          <span className="good" role="status">
            Imported, nothing approximated.
          </span>
        )}
      </p>
      {importSweep.error && <ErrorNote error={importSweep.error} />}
      {warnings && warnings.length > 0 && (
        <div role="status">
          <strong className={styles.panelNote}>
            Imported with {warnings.length} warning{warnings.length > 1 ? "s" : ""}:
          </strong>
          <ul className={styles.warnings} data-testid="wandb-warnings">
            {warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
