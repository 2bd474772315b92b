import type { Metadata } from "next";
import { RunnersView } from "./runners-view.tsx";

export const metadata: Metadata = { title: "Runners" };

export default function RunnersPage() {
  return <RunnersView />;
}
