import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "../lib/trpc.tsx";
import "./global.css";

export const metadata: Metadata = {
  title: { default: "Attune", template: "%s · Attune" },
  description:
    "Tune GPT-style language models: studies your team shares, and runners that train every trial.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry that response's CSP nonce (proxy.ts).
  await connection();
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
