import { customType, timestamp } from "drizzle-orm/pg-core";

/** createdAt and updatedAt, the latter refreshed on every update made through Drizzle. */
export const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/** Binary data as a Node Buffer (drizzle-orm has no built-in bytea column). */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
});
