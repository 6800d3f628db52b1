"""The application's own database role: it owns nothing, and on the audit trail
it may only add and read.

Migrations run as the owner role (DATABASE_URL for `manage.py migrate`); the
web and the worker connect as DATABASE_APP_ROLE. After every migrate the owner
grants that role what the application needs: reading and writing the working
tables, only INSERT and SELECT on the audit tables (the events and their
contexts). Not owning the tables, it cannot ALTER them or disable their
append-only triggers; not granted UPDATE, DELETE or TRUNCATE on the audit
tables, it cannot rewrite or erase them.
"""

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# pghistory's context function, as pghistory installs it, with two changes: it
# runs with the owner's rights (the app role may not UPDATE the context table),
# and an existing context may only gain keys, never change one, so that a
# session setting a stolen context id cannot rename the user of past events.
ATTACH_CONTEXT = """
CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS {table}.id%TYPE AS $$
    DECLARE
        _pgh_context_id UUID;
        _pgh_context_metadata JSONB;
    BEGIN
        BEGIN
            SELECT INTO _pgh_context_id CURRENT_SETTING('pghistory.context_id');
            SELECT INTO _pgh_context_metadata CURRENT_SETTING('pghistory.context_metadata');
            EXCEPTION WHEN OTHERS THEN
        END;
        IF _pgh_context_id IS NOT NULL AND _pgh_context_metadata IS NOT NULL THEN
            INSERT INTO {table} (id, metadata, created_at, updated_at)
                VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
                ON CONFLICT (id) DO UPDATE
                    SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
                    WHERE {table}.metadata != EXCLUDED.metadata
                      AND EXCLUDED.metadata @> {table}.metadata;
            RETURN _pgh_context_id;
        ELSE
            RETURN NULL;
        END IF;
    END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {schema};
"""


def audit_tables() -> list[str]:
    events = {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy
    }
    return sorted(events | {pghistory.models.Context._meta.db_table})


def grant_app_role(using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: give DATABASE_APP_ROLE its rights on every table there now."""
    connection = connections[using]
    role_name = settings.DATABASE_APP_ROLE
    if not role_name or connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    role = quote(role_name)
    audit = ", ".join(quote(table) for table in audit_tables())
    context_table = quote(pghistory.models.Context._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        cursor.execute(ATTACH_CONTEXT.format(table=context_table, schema=schema))
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            "REVOKE ALL ON FUNCTION _pgh_attach_context() FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION _pgh_attach_context() TO {role}",
        ):
            cursor.execute(statement)
