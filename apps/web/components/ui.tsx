// The small pieces every page is built from: headers, loading, empty and error states, badges.
import type { UseQueryResult } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode, Ref } from "react";
import { errorCode } from "../lib/trpc.tsx";

export interface Crumb {
  label: string;
  href?: string;
}

/** The one trail every page starts with: your teams, then the team (its name once loaded). */
export function teamCrumbs(
  teamId: string | undefined,
  team: { name: string } | undefined,
): Crumb[] {
  const teams = { label: "Teams", href: "/teams" };
  return teamId ? [teams, { label: team?.name ?? "…", href: `/teams/${teamId}` }] : [teams];
}

/** The trail down to a project: teams, its team, the project. Pages add their own crumbs below. */
export function projectCrumbs(
  project: { id: string; name: string; teamId: string } | undefined,
  team: { name: string } | undefined,
): Crumb[] {
  if (!project) return teamCrumbs(undefined, undefined);
  return [
    ...teamCrumbs(project.teamId, team),
    { label: project.name, href: `/projects/${project.id}` },
  ];
}

export function PageHeader({
  title,
  subtitle,
  crumbs,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  crumbs?: Crumb[];
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      {crumbs && crumbs.length > 0 && (
        <nav aria-label="Breadcrumb" className="crumbs">
          <ol>
            {crumbs.map((crumb) => (
              <li key={`${crumb.label}-${crumb.href ?? ""}`}>
                {crumb.href ? <Link href={crumb.href}>{crumb.label}</Link> : crumb.label}
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div className="page-header-row">
        <div>
          <h1>{title}</h1>
          {subtitle && <p className="muted subtitle">{subtitle}</p>}
        </div>
        {actions && <div className="actions">{actions}</div>}
      </div>
    </header>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** A failed call in words a user can act on; NOT_FOUND reads the same for missing and hidden. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  let text: string;
  if (code === "NOT_FOUND") {
    text = `${what ? `This ${what}` : "This"} does not exist, or your teams cannot see it.`;
  } else if (code === "UNAUTHORIZED") {
    text = "Your session has ended. Sign in again to continue.";
  } else if (code === "FORBIDDEN") {
    text = `Your role does not allow this: ${message}`;
  } else {
    text = message;
  }
  return (
    <div className="error" role="alert" data-testid="error-note" data-code={code}>
      {text}
      {code === "UNAUTHORIZED" && (
        <>
          {" "}
          <Link href="/sign-in">Sign in</Link>
        </>
      )}
    </div>
  );
}

/** A page whose own data failed to load: its header, so the reader knows where they are, and why. */
export function PageError({
  title,
  crumbs,
  error,
  what,
}: {
  title: string;
  crumbs?: Crumb[];
  error: unknown;
  what: string;
}) {
  return (
    <>
      <PageHeader title={title} crumbs={crumbs} />
      <ErrorNote error={error} what={what} />
    </>
  );
}

/**
 * What a query has so far: loading, its error, `empty` for an empty list, or `children` of the data.
 */
export function QueryState<T, E>({
  query,
  loading,
  empty,
  children,
}: {
  query: UseQueryResult<T, E>;
  /** The loading line, "Loading…" unless named. */
  loading?: string;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.isError) return <ErrorNote error={query.error} />;
  if (empty !== undefined && Array.isArray(query.data) && query.data.length === 0) return empty;
  return children(query.data);
}

/**
 * The box a wide table scrolls sideways in. It takes focus and carries the table's name, so that
 * keyboard users can scroll it too: a scrolling region that nothing in it can focus is out of reach.
 */
export function TableScroll({
  label,
  className,
  testId,
  ref,
  children,
}: {
  label: string;
  className?: string;
  testId?: string;
  ref?: Ref<HTMLElement>;
  children: ReactNode;
}) {
  return (
    <section
      ref={ref}
      className={`table-wrap ${className ?? ""}`}
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
      tabIndex={0}
      data-testid={testId}
    >
      {children}
    </section>
  );
}

/** A table of rows that scrolls sideways on a narrow screen; `head` is the header row's cells. */
export function DataTable({
  head,
  children,
  caption,
  className,
  testId,
}: {
  head: ReactNode;
  children: ReactNode;
  /** What the table lists, for screen readers. */
  caption: string;
  className?: string;
  testId?: string;
}) {
  return (
    <TableScroll label={caption} className={className}>
      <table className="data" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableScroll>
  );
}

/** A state of a study or trial, coloured by what it means. */
export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`badge state-${state}`} data-testid="state-badge">
      {state}
    </span>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`card ${className ?? ""}`} data-testid={testId}>
      {(title || actions) && (
        <div className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}
