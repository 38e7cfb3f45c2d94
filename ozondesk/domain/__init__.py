"""Pure domain logic: no Qt, no SQL. Clock, calendar, SLA, presence, lint, templates."""
