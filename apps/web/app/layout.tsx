import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "../lib/trpc.tsx";
import "./global.css";

export const metadata: Metadata = {
  title: { default: "Attune", template: "%s · Attune" },
  description:
    "Tune GPT-style language models: studies your team shares, and runners that train every trial.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
