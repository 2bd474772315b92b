// `npm run docs`: writes docs/study-spec.md from the zod schemas.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { studySpecReference } from "../src/tuning/spec-reference.ts";

const path = join(import.meta.dirname, "..", "..", "..", "docs", "study-spec.md");
writeFileSync(path, studySpecReference());
console.log(`Wrote ${path}`);
