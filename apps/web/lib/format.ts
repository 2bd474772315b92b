// How numbers, times and parameters read on every page.

/** A metric or parameter value: 4 significant digits, exponent form for very small or large. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

const compact = new Intl.NumberFormat("en-US", {
  notation: "compact",
  maximumFractionDigits: 1,
});

/** A chart axis' value, short enough for a narrow axis: "950", "0.032", "12.5K", "1.2M". */
export function formatAxisValue(value: number): string {
  if (Math.abs(value) >= 1000 && Number.isFinite(value)) return compact.format(value);
  return formatNumber(value);
}

/**
 * Decimals that tell values between `low` and `high` apart: two significant digits of the range,
 * so 3.08 to 3.16 reads "3.080" to "3.160" where rounding would read "3" at both ends.
 */
export function rangeDecimals(low: number, high: number): number {
  const span = Math.abs(high - low);
  if (!Number.isFinite(span) || span === 0) return 0;
  return Math.min(10, Math.max(0, Math.ceil(-Math.log10(span)) + 1));
}

/** A parameter of any type as it reads in tables and configs. */
export function formatParam(value: unknown): string {
  if (typeof value === "number") return formatNumber(value);
  if (value === null || value === undefined) return "–";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** "3 s", "4 min 05 s", "2 h 10 min". */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", or the date for older times. */
export function formatAge(at: Date | string, now: number = Date.now()): string {
  const time = typeof at === "string" ? Date.parse(at) : at.getTime();
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(time).toLocaleDateString();
}

/** A timestamp for tables: local date and time to the second. */
export function formatTime(at: Date | string | null | undefined): string {
  if (!at) return "–";
  return new Date(at).toLocaleString(undefined, { hour12: false });
}

/** A count in full with thousands separators: "1,216,578". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return Math.round(value).toLocaleString("en-US");
}

/** "1 sample", "3 samples". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}
