import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "~/components/ui.tsx";
import { CompareView } from "./compare-view.tsx";

export const metadata: Metadata = { title: "Compare trials" };

export default async function ComparePage({ params }: { params: Promise<{ studyId: string }> }) {
  const { studyId } = await params;
  // The trials come from the query string, which the page reads in the browser.
  return (
    <Suspense fallback={<Loading />}>
      <CompareView studyId={studyId} />
    </Suspense>
  );
}
