//! Introspection: the schema as both backends see it, and a logical dump of the
//! data. Used to prove that SQLite and PostgreSQL end with equivalent schemas, and
//! that a rejected import leaves the store exactly as it was.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Backend, Store, on_pool};
use crate::error::Result;

/// The type class of a column, independent of the backend's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TypeClass {
    Integer,
    Text,
    Real,
    Boolean,
    Other,
}

impl TypeClass {
    fn from_sqlite(decl: &str) -> Self {
        let d = decl.to_ascii_uppercase();
        if d.contains("BOOL") {
            TypeClass::Boolean
        } else if d.contains("INT") {
            TypeClass::Integer
        } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
            TypeClass::Text
        } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
            TypeClass::Real
        } else {
            TypeClass::Other
        }
    }

    fn from_postgres(data_type: &str) -> Self {
        match data_type {
            "bigint" | "integer" | "smallint" => TypeClass::Integer,
            "text" | "character varying" | "character" => TypeClass::Text,
            "double precision" | "real" => TypeClass::Real,
            "boolean" => TypeClass::Boolean,
            _ => TypeClass::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ColumnSchema {
    pub name: String,
    pub class: TypeClass,
    pub nullable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IndexSchema {
    pub name: String,
    pub unique: bool,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSchema {
    pub name: String,
    /// Columns in name order (declaration order may legitimately differ after a rebuild).
    pub columns: Vec<ColumnSchema>,
    /// Secondary indexes in name order (primary keys are part of the table).
    pub indexes: Vec<IndexSchema>,
    pub primary_key: Vec<String>,
}

/// Tables that exist only on one backend by design (full-text search support).
fn backend_only(table: &str) -> bool {
    table.starts_with("sqlite_")
        || table.starts_with("fts_")
        || table.ends_with("_fts")
        || table.contains("_fts_")
}

impl Store {
    /// Every table, its columns, primary key and indexes, sorted by name.
    pub async fn schema(&self) -> Result<Vec<TableSchema>> {
        let mut tables = Vec::new();
        match &self.pool {
            crate::db::Pool::Sqlite(pool) => {
                let names: Vec<String> = sqlx::query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                )
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
                for name in names.into_iter().filter(|n| !backend_only(n)) {
                    let cols = sqlx::query(
                        "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
                    )
                    .bind(&name)
                    .fetch_all(pool)
                    .await?;
                    let mut columns = Vec::new();
                    let mut pk: Vec<(i64, String)> = Vec::new();
                    for c in cols {
                        let cname: String = c.try_get(0)?;
                        let decl: String = c.try_get(1)?;
                        let notnull: i64 = c.try_get(2)?;
                        let pkpos: i64 = c.try_get(3)?;
                        if pkpos > 0 {
                            pk.push((pkpos, cname.clone()));
                        }
                        columns.push(ColumnSchema {
                            name: cname,
                            class: TypeClass::from_sqlite(&decl),
                            // SQLite lets primary-key columns hold NULL unless declared
                            // NOT NULL; Vaka never stores one, so they count as NOT NULL.
                            nullable: notnull == 0 && pkpos == 0,
                        });
                    }
                    pk.sort();
                    let mut indexes = Vec::new();
                    let idx = sqlx::query(
                        "SELECT name, \"unique\", origin FROM pragma_index_list($1) ORDER BY name",
                    )
                    .bind(&name)
                    .fetch_all(pool)
                    .await?;
                    for i in idx {
                        let iname: String = i.try_get(0)?;
                        let unique: i64 = i.try_get(1)?;
                        let origin: String = i.try_get(2)?;
                        if origin == "pk" {
                            continue;
                        }
                        let icols: Vec<String> =
                            sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                                .bind(&iname)
                                .fetch_all(pool)
                                .await?
                                .into_iter()
                                .map(|r| r.try_get(0))
                                .collect::<Result<_, _>>()?;
                        indexes.push(IndexSchema {
                            name: iname,
                            unique: unique != 0,
                            columns: icols,
                        });
                    }
                    columns.sort();
                    tables.push(TableSchema {
                        name,
                        columns,
                        indexes,
                        primary_key: pk.into_iter().map(|(_, c)| c).collect(),
                    });
                }
            }
            crate::db::Pool::Postgres(pool) => {
                let names: Vec<String> = sqlx::query(
                    "SELECT table_name::TEXT FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
                )
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
                for name in names.into_iter().filter(|n| !backend_only(n)) {
                    let mut columns = Vec::new();
                    for c in sqlx::query(
                        "SELECT column_name::TEXT, data_type::TEXT, is_nullable::TEXT FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                    )
                    .bind(&name)
                    .fetch_all(pool)
                    .await?
                    {
                        let dt: String = c.try_get(1)?;
                        let nullable: String = c.try_get(2)?;
                        columns.push(ColumnSchema {
                            name: c.try_get(0)?,
                            class: TypeClass::from_postgres(&dt),
                            nullable: nullable == "YES",
                        });
                    }
                    columns.sort();
                    let mut indexes = Vec::new();
                    let mut primary_key = Vec::new();
                    for i in sqlx::query(
                        "SELECT ic.relname::TEXT, ix.indisunique, ix.indisprimary, \
                                ARRAY(SELECT a.attname::TEXT FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
                                      JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
                                      ORDER BY k.ord) \
                         FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid \
                         JOIN pg_class t ON t.oid = ix.indrelid \
                         JOIN pg_namespace n ON n.oid = t.relnamespace \
                         WHERE t.relname = $1 AND n.nspname = current_schema() ORDER BY ic.relname",
                    )
                    .bind(&name)
                    .fetch_all(pool)
                    .await?
                    {
                        let iname: String = i.try_get(0)?;
                        let unique: bool = i.try_get(1)?;
                        let primary: bool = i.try_get(2)?;
                        let cols: Vec<String> = i.try_get(3)?;
                        if primary {
                            primary_key = cols;
                        } else {
                            indexes.push(IndexSchema {
                                name: iname,
                                unique,
                                columns: cols,
                            });
                        }
                    }
                    tables.push(TableSchema {
                        name,
                        columns,
                        indexes,
                        primary_key,
                    });
                }
            }
        }
        Ok(tables)
    }

    /// Problems the database finds in itself, empty when all is well: on
    /// SQLite `PRAGMA integrity_check` and the full-text index's own check,
    /// which compares the index with every activity's current text; on both
    /// backends, whether `fact_cube` holds exactly the sums of `fact` (unless
    /// a classification has marked it stale, to be rebuilt).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        use crate::analysis::cube;
        let mut problems = match &self.pool {
            crate::db::Pool::Sqlite(pool) => Self::sqlite_integrity(pool).await?,
            crate::db::Pool::Postgres(_) => Vec::new(),
        };
        let (stale, differences): (i64, i64) = on_pool!(self, pool => {
            (
                sqlx::query_scalar(cube::IS_STALE).fetch_one(pool).await?,
                sqlx::query_scalar(cube::DIFFERENCES).fetch_one(pool).await?,
            )
        });
        if stale == 0 && differences > 0 {
            problems.push(format!(
                "fact_cube: {differences} rows differ from the sums of fact"
            ));
        }
        Ok(problems)
    }

    /// SQLite's own checks, on a connection of their own: FTS5's check under
    /// `PRAGMA integrity_check` can run on the index structure a pooled
    /// connection cached before another process last wrote, and then reports
    /// merged-away segments as corruption (queries re-read it; the check does not).
    async fn sqlite_integrity(pool: &sqlx::SqlitePool) -> Result<Vec<String>> {
        use sqlx::{ConnectOptions, Connection};
        let options = pool.connect_options();
        let file = options.get_filename();
        if file.as_os_str().is_empty() || file == std::path::Path::new(":memory:") {
            // A new connection would open a new, empty in-memory database.
            let mut conn = pool.acquire().await?;
            return sqlite_checks(&mut conn).await;
        }
        let mut conn = (*options).clone().connect().await?;
        let problems = sqlite_checks(&mut conn).await;
        conn.close().await?;
        problems
    }
}

/// `PRAGMA integrity_check` and FTS5's own check of the full-text index.
async fn sqlite_checks(conn: &mut sqlx::SqliteConnection) -> Result<Vec<String>> {
    let mut problems: Vec<String> = sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter(|r| r != "ok")
        .collect();
    if let Err(e) =
        sqlx::query("INSERT INTO activity_fts (activity_fts, rank) VALUES ('integrity-check', 1)")
            .execute(&mut *conn)
            .await
    {
        problems.push(format!("full-text index: {e}"));
    }
    Ok(problems)
}

impl Store {
    /// A logical dump of every table: rows in primary-key order, every value as
    /// text (blobs in hex). Two dumps of the same backend are equal exactly
    /// when the stored data is equal.
    pub async fn dump(&self) -> Result<String> {
        let schema = self.schema().await?;
        let as_text = |c: &str| match self.backend() {
            // Blobs (the compressed activity documents) are not UTF-8 text.
            Backend::Sqlite => {
                format!(
                    "CASE typeof(\"{c}\") WHEN 'blob' THEN hex(\"{c}\") ELSE CAST(\"{c}\" AS TEXT) END"
                )
            }
            Backend::Postgres => format!("CAST(\"{c}\" AS TEXT)"),
        };
        let mut out = String::new();
        for t in &schema {
            let mut cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            cols.sort();
            let select = cols
                .iter()
                .map(|c| as_text(c))
                .collect::<Vec<_>>()
                .join(", ");
            let order = if t.primary_key.is_empty() {
                (1..=cols.len())
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                t.primary_key
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let sql = format!("SELECT {select} FROM \"{}\" ORDER BY {order}", t.name);
            out.push_str(&format!("## {} ({})\n", t.name, cols.join(", ")));
            let rows: Vec<Vec<Option<String>>> = on_pool!(self, pool => {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .map(|r| (0..cols.len()).map(|i| r.try_get::<Option<String>, _>(i)).collect::<Result<Vec<_>, _>>())
                    .collect::<Result<_, _>>()?
            });
            for r in rows {
                let line = r
                    .iter()
                    .map(|v| v.as_deref().unwrap_or("∅"))
                    .collect::<Vec<_>>()
                    .join("\t");
                out.push_str(&line);
                out.push('\n');
            }
        }
        Ok(out)
    }
}
