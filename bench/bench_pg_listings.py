"""The inbox listings on PostgreSQL (issue #16: "<= 2x bare psql for the same queries"), at
100,000 conversations / 1,000,000 messages by default.

Each listing the desk runs is timed through the app's services (``InboxService.ids`` and the
rows of the first screen, or ``first_screen`` for a search's first paint) and, in the same run,
alternating with it, bare: the plain SQL a person would type into psql for the same rows, on a
psycopg cursor with no ORM. Both must return the same conversations in the same order (checked
every run; a difference is printed as "DIFFERENT ROWS" and the bench exits 1). The table shows
the median of each, their ratio and the verdict against 2x.

The database is the app's own schema (its Alembic migrations, the pg_trgm index of '0019'
included), filled server-side with generate_series in the distribution bench_inbox.py uses
for SQLite. Without --url a throwaway cluster is started (tests/pgserver.py; needs the
postgresql server package) and removed at the end; with --url an empty database is filled, and a
database this bench filled before at the same size is reused as it is.

Run: python bench/bench_pg_listings.py [--conversations 100000] [--messages 1000000]
     [--quick] [--repeat 5] [--url postgresql://user:pw@host:port/db]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "tests")]

from ozondesk.errors import UserError  # noqa: E402
from ozondesk.services.inbox import (  # noqa: E402
    SHORT_QUERY_SCAN,
    InboxFilter,
    InboxService,
    InboxSort,
)
from ozondesk.store import dialect  # noqa: E402
from ozondesk.store.db import Database, open_database, resolve_url, with_password  # noqa: E402

PAGE = 200  # the inbox's first screen (ui/inbox_model.py PAGE)
NOW = datetime(2026, 11, 23, 9, 0)  # the data's "now": received times lie in the 30 days before
BENCH_SHOP = "bench_pg_listings"  # marks a database this bench filled
WORDS = ("заказ", "возврат", "посылка", "сертификат", "размер", "доставка", "трек", "订单", "物流",
         "наушники", "кроссовки", "деньги", "курьер", "пункт", "выдачи", "спасибо", "когда", "где")
CATEGORIES = ("returns", "logistics-delay", "payment", "quality", "size-and-fit", "order-status")
KINDS = ("buyer_chat", "buyer_chat", "buyer_chat", "buyer_ticket", "ozon_ticket", "account_manager")
AGENTS = ("王芳", "李娜", "张伟", "Анна", "Иван")
MINE = 2  # the agent whose "Mine" filter is timed
LONG_QUERY, SHORT_QUERY = "сертификат размер", "订单"

ROW_SQL = (
    "SELECT c.id, c.kind, c.buyer_name, c.subject, c.last_message_preview, c.category, c.status,"
    " c.priority, a.display_name, c.received_at, c.last_message_at, c.sla_due, c.sla_policy,"
    " c.unread_count, c.first_response_at, c.sla_first_due, c.sla_first_met_at, c.sla_next_due,"
    " c.sla_resolution_due, c.sla_resolution_met_at FROM conversations c LEFT JOIN agents a ON a.id = c.assignee_id"
    " WHERE c.id = ANY(%s)"
)
SNIPPET_SQL = "SELECT conversation_id, text FROM messages WHERE conversation_id = ANY(%s) ORDER BY id DESC"
OPEN = "c.status IN ('open', 'waiting_buyer')"
BY_DUE = "ORDER BY c.sla_due NULLS LAST, c.last_message_at DESC NULLS LAST, c.id"
# A search listed newest match first: each conversation once, by its newest matching message.
MATCH_IDS = ("SELECT m.conversation_id FROM messages m{join} WHERE m.text ILIKE %s{where}"
             " GROUP BY m.conversation_id ORDER BY max(m.id) DESC")
# A search's first screen: the newest matching messages, read until PAGE conversations are seen.
NEWEST_MATCHES = ("SELECT m.conversation_id, m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                  " WHERE m.text ILIKE %s{where} ORDER BY m.id DESC")


class Refused(Exception):
    """Bad input or an unusable database: one line, exit 2."""


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


@dataclass(frozen=True)
class Case:
    name: str
    flt: InboxFilter
    sort: InboxSort = InboxSort()
    bare_ids: str = ""  # SQL of the ordered ids (listings)
    bare_where: str = ""  # extra conditions on c (a search's first screen)
    first_screen: bool = False
    params: tuple[Any, ...] = ()


@dataclass
class Result:
    case: Case
    rows: int
    app: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    same: bool = True

    @property
    def ratio(self) -> float:
        return statistics.median(self.app) / statistics.median(self.bare)


def like(text: str) -> str:
    return dialect.like_pattern(text)


def cases() -> list[Case]:
    """The listings the desk runs: the default view, the other orders and filters of the filter
    bar and the column headers, and a search as the desk lists it (newest match first: the
    first screen, then the whole listing)."""
    breached = InboxFilter(breached=True, now=NOW)
    return [
        Case("open, by due (default)", InboxFilter(), bare_ids=f"SELECT c.id FROM conversations c WHERE {OPEN} {BY_DUE}"),
        Case("open, newest first", InboxFilter(), InboxSort("last_message", descending=True),
             bare_ids=f"SELECT c.id FROM conversations c WHERE {OPEN}"
                      " ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC"),
        Case("open, unread first", InboxFilter(), InboxSort("unread", descending=True),
             bare_ids=f"SELECT c.id FROM conversations c WHERE {OPEN} ORDER BY c.unread_count DESC, c.id DESC"),
        Case("all statuses, by due", InboxFilter(statuses=()),
             bare_ids=f"SELECT c.id FROM conversations c {BY_DUE}"),
        Case("status: resolved", InboxFilter(statuses=("resolved", "closed")),
             bare_ids=f"SELECT c.id FROM conversations c WHERE c.status IN ('resolved', 'closed') {BY_DUE}"),
        Case("kind: Ozon ticket", InboxFilter(kind="ozon_ticket"),
             bare_ids=f"SELECT c.id FROM conversations c WHERE {OPEN} AND c.kind = 'ozon_ticket' {BY_DUE}"),
        Case("mine", InboxFilter(assignee_id=MINE),
             bare_ids=f"SELECT c.id FROM conversations c WHERE {OPEN} AND c.assignee_id = {MINE} {BY_DUE}"),
        Case("breached", breached,
             bare_ids="SELECT c.id FROM conversations c WHERE c.status IN ('open', 'waiting_buyer')"
                      f" AND c.status = 'open' AND c.sla_due <= %s {BY_DUE}", params=(NOW,)),
        Case("all, by assignee", InboxFilter(statuses=()), InboxSort("assignee"),
             bare_ids="SELECT c.id FROM conversations c LEFT JOIN agents a ON a.id = c.assignee_id"
                      " ORDER BY a.display_name NULLS LAST, c.id"),
        Case("search 3+ chars, open", InboxFilter(query=LONG_QUERY), InboxSort("match"),
             bare_ids=MATCH_IDS.format(join=" JOIN conversations c ON c.id = m.conversation_id",
                                       where=f" AND {OPEN}"), params=(like(LONG_QUERY),)),
        Case("search 3+ chars, all", InboxFilter(statuses=(), query=LONG_QUERY), InboxSort("match"),
             bare_ids=MATCH_IDS.format(join="", where=""), params=(like(LONG_QUERY),)),
        Case("search 2 chars, all", InboxFilter(statuses=(), query=SHORT_QUERY), InboxSort("match"),
             bare_ids=MATCH_IDS.format(join="", where=""), params=(like(SHORT_QUERY),)),
        Case("search 3+ chars, by due", InboxFilter(statuses=(), query=LONG_QUERY),
             bare_ids="SELECT c.id FROM conversations c WHERE c.id IN"
                      f" (SELECT conversation_id FROM messages WHERE text ILIKE %s) {BY_DUE}",
             params=(like(LONG_QUERY),)),
        Case("first screen 3+ chars", InboxFilter(statuses=(), query=LONG_QUERY), first_screen=True,
             params=(like(LONG_QUERY),)),
        Case("first screen 3+, open", InboxFilter(query=LONG_QUERY), first_screen=True,
             bare_where=f" AND {OPEN}", params=(like(LONG_QUERY),)),
        Case("first screen 2 chars", InboxFilter(statuses=(), query=SHORT_QUERY), first_screen=True,
             bare_where=f" AND m.id > (SELECT max(id) FROM messages) - {SHORT_QUERY_SCAN}",
             params=(like(SHORT_QUERY),)),
    ]


# -- the database --------------------------------------------------------------------------
def fill(url: Any, conversations: int, messages: int) -> None:
    """The bench's data, made by the server itself (generate_series), in bench_inbox.py's
    distribution: 17% open with a deadline, 3% waiting for the buyer, the rest resolved; 80%
    assigned; messages of 6-17 words spread over every conversation."""
    import psycopg

    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k in KINDS) + "]"
    categories = "ARRAY[" + ",".join(f"'{c}'" for c in CATEGORIES) + "]"
    with psycopg.connect(**pg_conninfo(url)) as conn:
        # Triggers off (one NOTIFY per message would queue a million) and foreign keys
        # unchecked: the rows are made consistent here.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SELECT setseed(0.16)")
        conn.execute("INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, 'bench', %s, %s)",
                     (BENCH_SHOP, NOW))
        for n, name in enumerate(AGENTS, start=1):
            conn.execute("INSERT INTO agents (id, shop_id, login, display_name, role, active)"
                         " VALUES (%s, 1, %s, %s, 'agent', true)", (n, f"agent{n}", name))
        conn.execute(
            "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, buyer_name, status, category,"
            " priority, sla_policy, received_at, last_message_at, last_message_preview, unread_count, due_at,"
            " version, assignee_id, sla_first_due, sla_due)"
            f" SELECT g, 1, ({kinds})[1 + floor(r_kind * 6)::int], g::text, '', 'Покупатель ' || g,"
            " CASE WHEN r_status < 0.17 THEN 'open' WHEN r_status < 0.2 THEN 'waiting_buyer' ELSE 'resolved' END,"
            f" ({categories})[1 + floor(r_cat * 6)::int], 'normal', 'chat-first-response', received, received,"
            " '…', CASE WHEN r_status < 0.2 THEN (ARRAY[0, 0, 1, 2, 5])[1 + floor(r_unread * 5)::int] ELSE 0 END,"
            " CASE WHEN r_status < 0.17 THEN received + interval '15 minutes' END, 1,"
            f" CASE WHEN r_assigned < 0.8 THEN 1 + floor(r_agent * {len(AGENTS)})::int END,"
            # The stored outcome (sla_due is what the inbox sorts and filters by): the same deadline.
            " CASE WHEN r_status < 0.17 THEN received + interval '15 minutes' END,"
            " CASE WHEN r_status < 0.17 THEN received + interval '15 minutes' END"
            " FROM (SELECT g, random() AS r_kind, random() AS r_cat, random() AS r_unread, random() AS r_status,"
            "  random() AS r_assigned, random() AS r_agent,"
            "  %s::timestamp - floor(random() * 43200) * interval '1 minute' AS received"
            "  FROM generate_series(1, %s) AS g) AS s",
            (NOW, conversations),
        )
        # The trigram index is built once after the rows are in: kept up row by row, a GIN
        # index makes the fill several times slower.
        for statement in dialect.TRGM_DROP:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO messages (id, conversation_id, side, text, attachments, created_at, delivery_state)"
            " SELECT g, 1 + floor(random() * %s)::int, 'buyer',"
            f"  (SELECT string_agg(({words})[1 + floor(random() * {len(WORDS)})::int], ' ')"
            "   FROM generate_series(1, 6 + mod(g::bigint * 7919, 12))), '[]', %s, 'received'"
            " FROM generate_series(1, %s) AS g",
            (conversations, NOW, messages),
        )
        for statement in dialect.TRGM_DDL:
            conn.execute(statement)
        for name in ("shops", "agents", "conversations", "messages"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE conversations")
        conn.execute("VACUUM ANALYZE messages")


def pg_conninfo(url: Any) -> dict[str, Any]:
    return {"host": url.host, "port": url.port, "user": url.username, "password": url.password,
            "dbname": url.database, "connect_timeout": 10}


def prepare(url: Any, conversations: int, messages: int) -> float | None:
    """Fill an empty database; reuse one this bench filled at the same size. Seconds spent filling."""
    import psycopg

    try:
        conn = psycopg.connect(**pg_conninfo(url), autocommit=True)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Refused(f"cannot connect to {url.render_as_string(hide_password=True)}: {reason}") from None
    with conn:
        # Checked before migrating: a database that is not the bench's is left as it was.
        fresh = conn.execute("SELECT to_regclass('conversations') IS NULL").fetchone()[0]
        if not fresh:
            held = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
            shop = conn.execute("SELECT name FROM shops WHERE id = 1").fetchone()
        if fresh or (held == 0 and shop is None):
            open_database(url).dispose()  # the app's schema: every migration, 0019's index included
            start = time.perf_counter()
            fill(url, conversations, messages)
            return time.perf_counter() - start
        if shop is None or shop[0] != BENCH_SHOP:
            raise Refused(f"the database {url.database} holds data this bench did not make:"
                          " give --url an empty database")
        sent = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        if (held, sent) != (conversations, messages):
            raise Refused(f"the database {url.database} was filled at {held:,} conversations /"
                          f" {sent:,} messages: pass those sizes or an empty database")
    return None


# -- the two sides -----------------------------------------------------------------------
def app_side(service: InboxService, case: Case) -> list[int]:
    if case.first_screen:
        ids, _rows = service.first_screen(case.flt, PAGE)
        return list(ids)
    ids = service.ids(case.flt, case.sort)
    service.rows(ids[:PAGE], case.flt.query)
    return list(ids)


def bare_side(conn: Any, case: Case) -> list[int]:
    if case.first_screen:
        return bare_first_screen(conn, case)
    ids = [r[0] for r in conn.execute(case.bare_ids, case.params).fetchall()]
    first = ids[:PAGE]
    if first:
        conn.execute(ROW_SQL, (first,)).fetchall()
        if case.flt.query:
            conn.execute(SNIPPET_SQL, (first,)).fetchall()
    return ids


def bare_first_screen(conn: Any, case: Case) -> list[int]:
    newest: dict[int, int] = {}
    with conn.transaction(), conn.cursor(name="first_screen") as cursor:
        # A server-side cursor, read a batch at a time: only what is read is fetched.
        cursor.itersize = 256
        cursor.execute(NEWEST_MATCHES.format(where=case.bare_where), case.params)
        while len(newest) < PAGE:
            batch = cursor.fetchmany(256)
            if not batch:
                break
            for conversation_id, message_id in batch:
                newest.setdefault(conversation_id, message_id)
                if len(newest) == PAGE:
                    break
    if newest:
        conn.execute(ROW_SQL, (list(newest),)).fetchall()
        conn.execute("SELECT id, text FROM messages WHERE id = ANY(%s)", (list(newest.values()),)).fetchall()
    return list(newest)


def measure(service: InboxService, conn: Any, case: Case, repeat: int) -> Result:
    """App and bare in turn (a load spike on this shared machine hits both alike), after one
    untimed run of each that also checks they list the same conversations."""
    ours, theirs = app_side(service, case), bare_side(conn, case)
    result = Result(case, len(ours), same=ours == theirs)
    for _ in range(repeat):
        for side, times in ((lambda: app_side(service, case), result.app),
                            (lambda: bare_side(conn, case), result.bare)):
            start = time.perf_counter()
            side()
            times.append(time.perf_counter() - start)
    return result


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def run(url: Any, conversations: int, messages: int, repeat: int, only: Sequence[str] = ()) -> list[Result]:
    import psycopg

    filled = prepare(url, conversations, messages)
    if filled is not None:
        print(f"filled {conversations:,} conversations / {messages:,} messages in {filled:.1f} s", flush=True)
    db: Database = open_database(url)
    try:
        service = InboxService(db)
        with psycopg.connect(**pg_conninfo(url), autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            print(f"PostgreSQL {version}, {conversations:,} conversations / {messages:,} messages,"
                  f" median of {repeat}; {load()}", flush=True)
            print(f"{'listing':<26}{'rows':>9}{'app':>11}{'bare':>11}{'ratio':>8}  verdict", flush=True)
            results = []
            for case in cases():
                if only and case.name not in only:
                    continue
                result = measure(service, conn, case, repeat)
                results.append(result)
                print(row_line(result), flush=True)
    finally:
        db.dispose()
    print(f"after the run: {load()}")
    return results


def row_line(result: Result) -> str:
    ratio = result.ratio
    verdict = "DIFFERENT ROWS" if not result.same else "ok (<= 2x)" if ratio <= 2 else "over 2x"
    return (f"{result.case.name:<26}{result.rows:>9,}{statistics.median(result.app) * 1000:>9.1f}ms"
            f"{statistics.median(result.bare) * 1000:>9.1f}ms{ratio:>7.2f}x  {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(
        prog="bench_pg_listings.py",
        description="Time the inbox listings on PostgreSQL through the app's services beside the same "
                    "queries run bare (psycopg, no ORM); target: app <= 2x bare.",
    )
    parser.add_argument("--conversations", type=int, default=100_000, help="default 100,000")
    parser.add_argument("--messages", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--quick", action="store_true",
                        help="a quick run: 10,000 conversations / 100,000 messages, 3 repeats")
    parser.add_argument("--repeat", type=int, help="timed runs of each side per listing (default 5)")
    parser.add_argument("--url", help="a PostgreSQL database to fill (empty) or reuse (filled by this bench at "
                                      "the same size); default: a throwaway cluster (tests/pgserver.py)")
    parser.add_argument("--only", action="append", default=[], metavar="LISTING",
                        help="time only this listing (repeatable); names as in the table")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations, args.messages = 10_000, 100_000
    repeat = args.repeat if args.repeat is not None else 3 if args.quick else 5
    if args.conversations < 1 or args.messages < 1:
        parser.error("--conversations and --messages must be at least 1")
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    names = {case.name for case in cases()}
    unknown = [name for name in args.only if name not in names]
    if unknown:
        parser.error(f"no listing named {unknown[0]!r}; the listings are: {', '.join(sorted(names))}")
    import psycopg

    server = None
    try:
        if args.url:
            url = resolve_url(args.url)
            if url.get_backend_name() != "postgresql":
                raise Refused(f"--url must be a PostgreSQL URL, not {args.url!r}")
            url = with_password(url)
        else:
            from pgserver import start_server

            try:
                server = start_server()
            except RuntimeError as exc:
                raise Refused(f"cannot start a throwaway PostgreSQL: {exc}") from None
            url = server.create_database("bench_listings")
        results = run(url, args.conversations, args.messages, repeat, args.only)
    except (Refused, UserError) as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    except psycopg.Error as exc:  # the server went away or refused mid-run
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"{parser.prog}: PostgreSQL failed: {reason}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
    return 1 if any(not r.same for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
