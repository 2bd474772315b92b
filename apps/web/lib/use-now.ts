"use client";
import { useEffect, useState } from "react";

/**
 * The current time, moving every second while `ticking`, for ages and elapsed times that stay
 * right between reads.
 */
export function useNow(ticking = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const clock = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(clock);
  }, [ticking]);
  return now;
}
