//! Reading the next file while the SQLite writer finishes the current one.
//!
//! The writer is the slower side of an SQLite import. When the parser reaches
//! the end of a file the writer still has up to [`CHANNEL`] queued activities,
//! the last full-text chunk, the cube's sums and the commit to do; with one
//! parser per file the parsing core sat idle through all of that, about a
//! quarter of each file's time. Here one thread hashes and parses the run's
//! files one after another, each into a channel of its own, so the next file's
//! first activities are ready when the writer turns to it, while the parsing
//! of a file still never starts before the previous one is fully read.
//!
//! Nothing here decides anything: the writer still checks each file's hash
//! in its own transaction, and takes a file's events only if it imports it.
//! Dropping the events of a file (unchanged, rejected, failed) makes the
//! thread go on to the next; dropping the [`ReadAhead`] stops it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use super::{CHANNEL, DocForm, Event, Source, parse_into};
use crate::analysis::Analyzer;

/// One source as the read-ahead thread found it.
pub(super) struct Planned {
    /// SHA-256 and size, or why the file could not be read.
    pub hashed: std::io::Result<(String, u64)>,
    /// The file's events; `None` when it was not parsed (unreadable, or
    /// unchanged when the run started).
    pub events: Option<Receiver<Event>>,
}

pub(super) struct ReadAhead {
    plans: Option<Receiver<Planned>>,
    thread: Option<JoinHandle<()>>,
}

impl ReadAhead {
    /// Start reading `sources` in order. `known` maps dataset paths to the
    /// hashes stored when the run started: files still matching are not parsed.
    pub fn start(
        sources: Vec<Source>,
        known: HashMap<String, String>,
        analyzer: Arc<Analyzer>,
        doc: DocForm,
    ) -> std::io::Result<ReadAhead> {
        // One plan may wait: the next file's, while the writer is on this one.
        let (plans, rx) = sync_channel::<Planned>(1);
        let thread = std::thread::Builder::new()
            .name("vaka-parse".into())
            .spawn(move || {
                for source in sources {
                    let hashed = source.hash();
                    let parse = match &hashed {
                        Ok((sha, _)) => known.get(&source.name()) != Some(sha),
                        Err(_) => false,
                    };
                    if !parse {
                        if plans
                            .send(Planned {
                                hashed,
                                events: None,
                            })
                            .is_err()
                        {
                            return;
                        }
                        continue;
                    }
                    let (out, events) = sync_channel(CHANNEL);
                    if plans
                        .send(Planned {
                            hashed,
                            events: Some(events),
                        })
                        .is_err()
                    {
                        return;
                    }
                    // Returns at the end of the file or as soon as the writer
                    // drops its events.
                    parse_into(&source, &analyzer, doc, &out);
                }
            })?;
        Ok(ReadAhead {
            plans: Some(rx),
            thread: Some(thread),
        })
    }

    /// The plan of the next source, in the order given to [`ReadAhead::start`];
    /// `None` if the thread has stopped.
    pub fn next(&self) -> Option<Planned> {
        self.plans.as_ref()?.recv().ok()
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // Dropping the plans (and with them any waiting file's events) makes
        // every send of the thread fail, so it ends.
        self.plans = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
