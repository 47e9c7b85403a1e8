//! Rows as typed values, and bulk writes to PostgreSQL.
//!
//! A [`TableDef`] names a table's columns and their types; rows are vectors of
//! [`Val`]. The SQLite import writer binds them to prepared statements (see
//! `import::sqlite`). Elsewhere they are collected per table in a
//! [`TableBatch`] and written with few round trips inside the caller's
//! transaction: on SQLite as multi-row `INSERT … VALUES (…), (…)` statements
//! (bounded by its variable limit), on PostgreSQL as one
//! `INSERT … SELECT * FROM UNNEST($1::T[], …)` per table and chunk, binding
//! whole columns as arrays, or several tables' inserts as the parts of one
//! statement ([`flush_pg_together`]).

use sqlx::{PgConnection, SqliteConnection};

/// The SQL type class of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    I64,
    Text,
    F64,
    Bool,
}

impl Ty {
    fn pg_array(self) -> &'static str {
        match self {
            Ty::I64 => "BIGINT[]",
            Ty::Text => "TEXT[]",
            Ty::F64 => "DOUBLE PRECISION[]",
            Ty::Bool => "BOOLEAN[]",
        }
    }
}

/// One cell value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    I64(Option<i64>),
    Text(Option<String>),
    F64(Option<f64>),
    Bool(Option<bool>),
    /// Only the SQLite writer binds blobs (the compressed activity document,
    /// see `doc`); no batched table has a blob column.
    Blob(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I64(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::I64(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::F64(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(Some(v))
    }
}
impl From<Option<bool>> for Val {
    fn from(v: Option<bool>) -> Self {
        Val::Bool(v)
    }
}

/// A table's name and columns, in insert order.
pub(crate) struct TableDef {
    pub name: &'static str,
    pub cols: &'static [(&'static str, Ty)],
}

enum Column {
    I64(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
}

impl Column {
    fn new(ty: Ty) -> Self {
        match ty {
            Ty::I64 => Column::I64(Vec::new()),
            Ty::Text => Column::Text(Vec::new()),
            Ty::F64 => Column::F64(Vec::new()),
            Ty::Bool => Column::Bool(Vec::new()),
        }
    }

    fn clear(&mut self) {
        match self {
            Column::I64(v) => v.clear(),
            Column::Text(v) => v.clear(),
            Column::F64(v) => v.clear(),
            Column::Bool(v) => v.clear(),
        }
    }
}

/// Rows waiting to be written to one table, stored column by column.
pub(crate) struct TableBatch {
    def: &'static TableDef,
    cols: Vec<Column>,
    rows: usize,
}

/// SQLite's default limit on bound variables per statement is 32766.
const SQLITE_MAX_VARS: usize = 32_000;
const SQLITE_MAX_ROWS: usize = 500;
const PG_MAX_ROWS: usize = 40_000;

impl TableBatch {
    pub fn new(def: &'static TableDef) -> Self {
        TableBatch {
            def,
            cols: def.cols.iter().map(|(_, ty)| Column::new(*ty)).collect(),
            rows: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    /// Append one row. Values must match the table definition in number and type;
    /// a mismatch is a programming error in this crate and panics in debug builds.
    pub fn push(&mut self, row: Vec<Val>) {
        debug_assert_eq!(
            row.len(),
            self.cols.len(),
            "row width for {}",
            self.def.name
        );
        for (col, val) in self.cols.iter_mut().zip(row) {
            match (col, val) {
                (Column::I64(c), Val::I64(v)) => c.push(v),
                (Column::Text(c), Val::Text(v)) => c.push(v),
                (Column::F64(c), Val::F64(v)) => c.push(v),
                (Column::Bool(c), Val::Bool(v)) => c.push(v),
                (Column::I64(c), _) => {
                    debug_assert!(false, "type mismatch in {}", self.def.name);
                    c.push(None)
                }
                (Column::Text(c), _) => {
                    debug_assert!(false, "type mismatch in {}", self.def.name);
                    c.push(None)
                }
                (Column::F64(c), _) => {
                    debug_assert!(false, "type mismatch in {}", self.def.name);
                    c.push(None)
                }
                (Column::Bool(c), _) => {
                    debug_assert!(false, "type mismatch in {}", self.def.name);
                    c.push(None)
                }
            }
        }
        self.rows += 1;
    }

    fn clear(&mut self) {
        for c in &mut self.cols {
            c.clear();
        }
        self.rows = 0;
    }

    fn column_list(&self) -> String {
        self.def
            .cols
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Write the rows with multi-row `INSERT`s. Statement shapes are few and
    /// fixed (full chunks, then the remainder by powers of two) so the
    /// connection's statement cache reuses them instead of compiling a new
    /// statement of a new width on every flush. Values are moved, not copied.
    pub async fn flush_sqlite(&mut self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        if self.rows == 0 {
            return Ok(());
        }
        let width = self.cols.len();
        let per_stmt = (SQLITE_MAX_VARS / width).clamp(1, SQLITE_MAX_ROWS);
        let mut start = 0;
        while start < self.rows {
            let left = self.rows - start;
            let n = if left >= per_stmt {
                per_stmt
            } else {
                // The largest power of two not above `left`.
                1 << (usize::BITS - 1 - left.leading_zeros())
            };
            let sql = self.sqlite_insert(n);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in start..start + n {
                for col in &mut self.cols {
                    q = match col {
                        Column::I64(c) => q.bind(c[row]),
                        Column::Text(c) => q.bind(c[row].take()),
                        Column::F64(c) => q.bind(c[row]),
                        Column::Bool(c) => q.bind(c[row]),
                    };
                }
            }
            q.execute(&mut *conn).await?;
            start += n;
        }
        self.clear();
        Ok(())
    }

    /// `INSERT INTO t (…) VALUES (?, …), …` for `n` rows.
    fn sqlite_insert(&self, n: usize) -> String {
        let width = self.cols.len();
        let mut one_row = String::with_capacity(2 + 3 * width);
        one_row.push('(');
        for i in 0..width {
            if i > 0 {
                one_row.push_str(", ");
            }
            one_row.push('?');
        }
        one_row.push(')');
        let columns = self.column_list();
        let mut sql = String::with_capacity(32 + columns.len() + n * (one_row.len() + 2));
        sql.push_str("INSERT INTO ");
        sql.push_str(self.def.name);
        sql.push_str(" (");
        sql.push_str(&columns);
        sql.push_str(") VALUES ");
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&one_row);
        }
        sql
    }

    /// `INSERT INTO t (…) SELECT * FROM UNNEST($first::T[], …)`.
    fn pg_insert(&self, first: usize) -> String {
        let unnest = self
            .def
            .cols
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| format!("${}::{}", first + i, ty.pg_array()))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
            self.def.name,
            self.column_list(),
            unnest
        )
    }

    /// Bind rows `start..end`, column by column, as arrays. Texts are moved.
    fn bind_pg<'q>(&mut self, mut q: PgQuery<'q>, start: usize, end: usize) -> PgQuery<'q> {
        for col in &mut self.cols {
            q = match col {
                Column::I64(c) => q.bind(c[start..end].to_vec()),
                Column::Text(c) => q.bind(
                    c[start..end]
                        .iter_mut()
                        .map(Option::take)
                        .collect::<Vec<_>>(),
                ),
                Column::F64(c) => q.bind(c[start..end].to_vec()),
                Column::Bool(c) => q.bind(c[start..end].to_vec()),
            };
        }
        q
    }

    pub async fn flush_pg(&mut self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.rows == 0 {
            return Ok(());
        }
        let sql = self.pg_insert(1);
        let mut start = 0;
        while start < self.rows {
            let end = (start + PG_MAX_ROWS).min(self.rows);
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            self.bind_pg(q, start, end).execute(&mut *conn).await?;
            start = end;
        }
        self.clear();
        Ok(())
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// The statement [`flush_pg_together`] runs for `batches`: one data-modifying
/// `WITH` per table, in order. It depends only on the tables, so sqlx
/// prepares it once per connection.
fn pg_insert_together(batches: &[TableBatch]) -> String {
    let mut sql = String::from("WITH ");
    let mut first = 1;
    for (i, b) in batches.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("t{i} AS ({})", b.pg_insert(first)));
        first += b.cols.len();
    }
    sql.push_str(" SELECT 1");
    sql
}

/// Write the rows of several tables with one statement, so that a flush of
/// an import costs one round trip instead of one per table. The statement's parts see
/// no rows of each other, but foreign keys are checked at the end of the
/// statement, when every part has run. Tables of more than `PG_MAX_ROWS` rows
/// are written one by one instead.
pub(crate) async fn flush_pg_together(
    batches: &mut [TableBatch],
    conn: &mut PgConnection,
) -> Result<(), sqlx::Error> {
    if batches.iter().all(|b| b.rows == 0) {
        return Ok(());
    }
    if batches.iter().any(|b| b.rows > PG_MAX_ROWS) {
        for b in batches {
            b.flush_pg(conn).await?;
        }
        return Ok(());
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(pg_insert_together(batches)));
    for b in batches.iter_mut() {
        let rows = b.rows;
        q = b.bind_pg(q, 0, rows);
    }
    q.execute(&mut *conn).await?;
    for b in batches {
        b.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    static PARENT: TableDef = TableDef {
        name: "parent",
        cols: &[("id", Ty::I64), ("name", Ty::Text)],
    };
    static CHILD: TableDef = TableDef {
        name: "child",
        cols: &[("parent_id", Ty::I64), ("share", Ty::F64), ("ok", Ty::Bool)],
    };

    #[test]
    fn one_statement_for_several_tables_numbers_their_parameters_in_turn() {
        let batches = [TableBatch::new(&PARENT), TableBatch::new(&CHILD)];
        assert_eq!(
            pg_insert_together(&batches),
            "WITH t0 AS (INSERT INTO parent (id, name) SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[])), \
             t1 AS (INSERT INTO child (parent_id, share, ok) SELECT * FROM UNNEST($3::BIGINT[], \
             $4::DOUBLE PRECISION[], $5::BOOLEAN[])) SELECT 1"
        );
    }
}
