"""Database engine, sessions and the declarative base (SQLAlchemy 2.0).

SQLite in the data directory is the embedded default; PostgreSQL (psycopg 3) is used by URL in production.
Schema changes go through Alembic (``nixa db upgrade``); nothing here creates tables.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Insert, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    if url.startswith("sqlite"):
        # LIFO: the connection used last is taken again, so its SQLite page cache is the warm one.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_use_lifo=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, open transactions (the begin hook below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        # A deferred transaction that reads and then writes fails at once with "database is locked" when
        # another writer got there first; taking the write lock up front makes it wait instead
        # (busy_timeout), so concurrent requests serialise rather than fail. Read-only work uses a deferred
        # engine so it never waits for, or blocks, a writer (WAL readers see a snapshot).
        # The statement goes straight to the driver from the dialect's own begin hook: SQLAlchemy calls it
        # where it wraps driver errors (a busy timeout arrives as OperationalError, as from any statement),
        # and it skips the full execution path that a "begin" event with exec_driver_sql costs on every
        # request.
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        setattr(engine.dialect, "do_begin", lambda dbapi_conn: dbapi_conn.execute(begin))  # noqa: B010

        return engine
    engine = create_engine(_psycopg(url), pool_size=10, max_overflow=20)
    ping_when_idle(engine, PING_AFTER_IDLE)
    return engine


def _psycopg(url: str) -> str:
    """A plain ``postgresql://`` URL names SQLAlchemy's default driver (psycopg2); NIXA runs on psycopg 3."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_read_engine(url: str) -> Engine:
    """The engine of ``Database.read_session``: work that only reads.

    On SQLite, a deferred BEGIN: a snapshot that neither takes nor waits for the write lock. On PostgreSQL,
    autocommit: at READ COMMITTED, the server's default and NIXA's, every statement already reads its own
    snapshot, so a transaction around reads adds nothing but the round trips of BEGIN and of the pool's
    ROLLBACK (two of the four that a UserInfo request made). The connections are read-only for the server
    (SET SESSION CHARACTERISTICS), so a write that strays into a read session fails instead of committing.
    """
    if url.startswith("sqlite"):
        return make_engine(url, immediate=False)
    # Smaller than the write pool: a read holds its connection for a statement or two.
    engine = create_engine(_psycopg(url), pool_size=5, max_overflow=15, isolation_level="AUTOCOMMIT")

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_conn: Any, _record: Any) -> None:
        # Once per connection; it lasts for the connection's life, through the pool's resets. Autocommit
        # (the engine's isolation level) so that the SET leaves no transaction open.
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cur:
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    ping_when_idle(engine, PING_AFTER_IDLE)
    return engine


# A connection that sat in the pool this long is tested before use; one in steady use is not. A ping on
# every checkout (SQLAlchemy's pool_pre_ping) is one more round trip on every request.
PING_AFTER_IDLE = 10.0


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling for connections that were idle: after a database restart or a
    failover, the first request on each stale connection would fail; a connection that was in use a
    moment ago is alive, and if it dies in use SQLAlchemy invalidates the pool at the first error."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            with dbapi_conn.cursor() as cur:
                cur.execute("SELECT 1")
        except Exception as exc:
            # The pool discards this connection and checks out another (SQLAlchemy retries up to three
            # times before the error reaches the request).
            raise DisconnectionError("stale pooled connection") from exc


class InsertIfAbsent:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for ``table``, built once for each dialect NIXA runs on:
    one statement where an ORM insert would need a savepoint to survive the duplicate.

    ``returning``: a column the statement returns, so that the caller can tell an inserted row (one row
    back) from a duplicate (none). The row count cannot tell: on PostgreSQL SQLAlchemy adds RETURNING for
    an autoincrement key by itself, and the driver then reports -1 either way."""

    def __init__(self, table: Table, *key: str, returning: str | None = None) -> None:
        columns = [table.c[k] for k in key]
        statements = {
            "postgresql": postgresql.insert(table).on_conflict_do_nothing(index_elements=columns),
            "sqlite": sqlite.insert(table).on_conflict_do_nothing(index_elements=columns),
        }
        if returning is not None:
            statements = {name: st.returning(table.c[returning]) for name, st in statements.items()}
        self._by_dialect: dict[str, Insert] = statements

    def __call__(self, s: Session) -> Insert:
        return self._by_dialect[s.get_bind().dialect.name]


class _WriterQueue:
    """SQLite has one writer at a time, and its busy handler makes a waiting writer sleep and poll (1, 2,
    5 ... 100 ms): under load the lock sat free while writers slept, and the CPU idled. Within one
    process, units of work queue here instead, and the next starts the moment the last one ends.

    Only a speed-up: SQLite's own lock still decides (other processes on the same file wait through
    busy_timeout), and a turn not given within ``wait`` seconds (a unit of work waiting on another
    thread that itself holds a turn) goes on to SQLite's lock as before, instead of waiting forever.
    """

    def __init__(self, wait: float = 5.0) -> None:
        self._lock = threading.RLock()
        self._wait = wait

    @contextmanager
    def turn(self) -> Iterator[None]:
        got = self._lock.acquire(timeout=self._wait)
        try:
            yield
        finally:
            if got:
                self._lock.release()


class Reads:
    """A read on one pooled connection of the read engine (``Database.reads``), for the reads that run
    on every portal's request (UserInfo, introspection): Core statements on ``connection()``, and an ORM
    session on that same connection, hence the same snapshot, only when a rarer branch needs one
    (``orm``). Opening and closing a ``Session`` around a one-statement read cost as much as the
    statement: ~60 µs of a UserInfo request's ~400 (in-process, SQLite; bench/RESULTS.md).

    Nothing is committed here: the session, when made, joins the connection's transaction, which the
    connection's close rolls back (SQLite); on PostgreSQL the connection is read-only."""

    __slots__ = ("_conn", "_factory", "_orm")

    def __init__(self, conn: Connection, factory: sessionmaker[Session]) -> None:
        self._conn, self._factory = conn, factory
        self._orm: Session | None = None

    def connection(self) -> Connection:
        """The same call as ``Session.connection()``, so Core code reads from either."""
        return self._conn

    @property
    def orm(self) -> Session:
        if self._orm is None:
            # The session must join a transaction it did not begin: begun by the session itself, it would
            # be the session's to commit. Joined, its commit commits nothing (SQLAlchemy's
            # join_transaction_mode "conservative_savepoint") and the connection's close rolls it back.
            if not self._conn.in_transaction():
                self._conn.begin()
            self._orm = self._factory(bind=self._conn)
        return self._orm

    def close(self) -> None:
        if self._orm is not None:
            self._orm.close()
            self._orm = None


# What the read paths shared by units of work and by ``Reads`` take: both answer ``connection()``.
Unit = Session | Reads


def orm(unit: Unit) -> Session:
    """The ORM session of ``unit``: itself, or the one a ``Reads`` makes on its connection."""
    return unit if isinstance(unit, Session) else unit.orm


def unit_of_work(unit: Unit) -> Session:
    """``unit`` for code that writes (a client assertion's jti, a resolver's refresh): a ``Reads`` here is
    a programming error, refused loudly rather than written into a transaction that is rolled back."""
    if not isinstance(unit, Session):
        raise TypeError("this step writes: run it in Database.session(), not Database.reads()")
    return unit


class Database:
    """Owns the engine and hands out sessions; one per application."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = make_read_engine(url)
        self._read_factory = sessionmaker(self._read_engine, expire_on_commit=False)
        self._writers = _WriterQueue() if url.startswith("sqlite") else None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self._writers.turn() if self._writers else nullcontext(), self._factory() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """For reads that may happen inside another unit of work (key cache, listings): never writes."""
        # Nothing written here is kept: on SQLite, closing the session ends its transaction with a rollback
        # (SQLAlchemy's pool resets every connection it takes back); on PostgreSQL the connection is
        # read-only and the write fails (make_read_engine).
        with self._read_factory() as s:
            yield s

    @contextmanager
    def reads(self) -> Iterator[Reads]:
        """A ``Reads`` on the read engine: as ``read_session`` (SQLite: a deferred BEGIN, rolled back at
        the end; PostgreSQL: autocommit on a read-only connection), without a Session unless one is
        asked for."""
        with self._read_engine.connect() as conn:
            unit = Reads(conn, self._read_factory)
            try:
                yield unit
            finally:
                unit.close()

    def dispose(self) -> None:
        self.engine.dispose()
        self._read_engine.dispose()
