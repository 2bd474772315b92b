import type { Metadata } from "next";
import { TeamsView } from "./teams-view.tsx";

export const metadata: Metadata = { title: "Teams" };

export default function TeamsPage() {
  return <TeamsView />;
}
