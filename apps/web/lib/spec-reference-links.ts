// Where the reference page (/reference) describes each part of a spec in full: its headings' ids,
// as GitHub would make them from docs/study-spec.md.
export const REFERENCE_SECTIONS = {
  settings: "/reference#trainer-settings",
  constraints: "/reference#constraints",
  sampler: "/reference#sampler",
  pruner: "/reference#pruner",
} as const;
