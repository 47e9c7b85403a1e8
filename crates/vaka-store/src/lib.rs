//! The Vaka store: migrations and every query, on SQLite and PostgreSQL behind one API.
