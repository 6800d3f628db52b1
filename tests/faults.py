"""Faults that PostgreSQL itself raises in the middle of a transaction."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def inserts_refused(table: str, *, when: str = "true", message: str = "failure injected"):
    """While open, the database refuses a row inserted into `table` when `when`
    holds: SQL over `NEW` and the sequence `tried_rows` (`nextval('tried_rows')`
    counts the rows tried). The trigger is dropped again however the block ends."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE SEQUENCE tried_rows;
            CREATE FUNCTION refuse_inserts() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN
                IF {when} THEN
                    RAISE EXCEPTION '{message}';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_inserts BEFORE INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION refuse_inserts();""")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER refuse_inserts ON {table};"
                "DROP FUNCTION refuse_inserts(); DROP SEQUENCE tried_rows;"
            )
