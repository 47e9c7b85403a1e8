//! Memoised aggregates, keyed by the database's data version.
//!
//! The read pages ask the same aggregate questions again and again (the
//! framework's matrix, the partner totals, a country's summary) while the data
//! behind them changes only when something is imported, classified or edited.
//! Every such write moves the `data_version` counter forward *after* its
//! commit (see [`Store::bump_data_version`]); a reader reads the counter
//! first, then the data, and files its answer under the counter it read.
//! An answer is therefore never filed under a version newer than the data it
//! was computed from, and a change is visible to every process (other
//! servers, the CLI) as soon as its bump is.
//!
//! Concurrent askers of the same cold question wait for the first one rather
//! than all computing it (no stampede when a page is first opened by many).

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use crate::db::{Store, on_pool};
use crate::error::Result;

/// Entries kept before old ones are dropped. Keys are small (a request's
/// parameters); values are page-sized aggregates.
const MAX_ENTRIES: usize = 512;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub(crate) struct Memo {
    entries: Mutex<HashMap<String, (i64, Value)>>,
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Memo {
    fn get<T: Clone + 'static>(&self, key: &str, version: i64) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (v, value) = entries.get(key)?;
        if *v != version {
            return None;
        }
        value.downcast_ref::<T>().cloned()
    }

    fn put<T: Send + Sync + 'static>(&self, key: &str, version: i64, value: T) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.get(key).is_some_and(|(v, _)| *v > version) {
            return; // someone already filed a newer answer
        }
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, (v, _)| *v >= version);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key.to_string(), (version, Arc::new(value)));
    }

    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut inflight = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if inflight.len() > MAX_ENTRIES {
            // Gates nobody holds can go; a held one is kept by its holder's Arc.
            inflight.retain(|_, g| Arc::strong_count(g) > 1);
        }
        inflight.entry(key.to_string()).or_default().clone()
    }

    #[cfg(test)]
    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

impl Store {
    /// The current data version: moves forward after every committed change to
    /// imported or analysed data.
    pub async fn data_version(&self) -> Result<i64> {
        let n: i64 = on_pool!(self, pool => {
            sqlx::query("SELECT n FROM data_version WHERE id = 1")
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or(0)
        });
        Ok(n)
    }

    /// Move the data version forward. Call after the change has committed.
    pub(crate) async fn bump_data_version(&self) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE data_version SET n = n + 1 WHERE id = 1")
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// `compute()`'s answer for `key` at the current data version, computed
    /// at most once per version while it stays in memory.
    pub(crate) async fn memoized<T, F, Fut>(&self, key: String, compute: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let version = self.data_version().await?;
        if let Some(hit) = self.memo.get::<T>(&key, version) {
            return Ok(hit);
        }
        let gate = self.memo.gate(&key);
        let _held = gate.lock().await;
        if let Some(hit) = self.memo.get::<T>(&key, version) {
            return Ok(hit);
        }
        let value = compute().await?;
        self.memo.put(&key, version, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn answers_only_for_the_version_they_were_filed_under() {
        let m = Memo::default();
        m.put("k", 3, 7_u32);
        assert_eq!(m.get::<u32>("k", 3), Some(7));
        assert_eq!(m.get::<u32>("k", 4), None);
        assert_eq!(m.get::<String>("k", 3), None, "a different type is a miss");
        m.put("k", 2, 1_u32);
        assert_eq!(
            m.get::<u32>("k", 3),
            Some(7),
            "an older answer never replaces a newer one"
        );
        m.put("k", 5, 9_u32);
        assert_eq!(m.get::<u32>("k", 5), Some(9));
    }

    #[test]
    fn stays_bounded() {
        let m = Memo::default();
        for i in 0..(super::MAX_ENTRIES * 3) {
            m.put(&format!("k{i}"), 1, i);
        }
        assert!(m.entries.lock().map(|e| e.len()).unwrap_or(0) <= super::MAX_ENTRIES);
        m.clear();
        assert_eq!(m.get::<usize>("k1", 1), None);
    }
}
