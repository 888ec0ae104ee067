"""SQLite workspace: tables, engine and sessions, Alembic migrations, repository functions."""
