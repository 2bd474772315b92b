/** Turns a failure to reach PostgreSQL into one line that says where and what to check. */
export function describeConnectionError(failure: unknown, url: string): string {
  const where = describeServer(url);
  // Drizzle wraps the driver's error ("Failed query: ..."); the code is on its cause.
  const error = (failure as { cause?: unknown }).cause ?? failure;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return `Cannot reach PostgreSQL at ${where}: connection refused. Check that the server is running and that DATABASE_URL has the right host and port.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot reach PostgreSQL at ${where}: the host name does not resolve. Check the host in DATABASE_URL.`;
    case "ETIMEDOUT":
      return `Cannot reach PostgreSQL at ${where}: the connection timed out. Check the host, the port and any firewall between.`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${where} refused the credentials (${message}). Check the user and password in DATABASE_URL.`;
    case "3D000":
      return `PostgreSQL at ${where} has no such database (${message}). Create it or fix the database name in DATABASE_URL.`;
    default:
      return `Cannot use PostgreSQL at ${where}: ${message}`;
  }
}

/** host:port/database of a connection URL, without the password. */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "an unparseable DATABASE_URL";
  }
}
