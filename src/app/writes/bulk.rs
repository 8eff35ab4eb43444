//! A bulk run's outcome list: one row per grant, answered as the writes come back, with the
//! tallies kept as they come (so neither a frame nor an answer counts the whole list), and the
//! sentence that sums the run up.
//!
//! Only the run's bookkeeping: the writes themselves are sent by [`writes`](super).

use super::GrantTarget;
use super::{describe_grant_on, key_label};
use crate::app::{App, Level};
use crate::source::WriteKind;

/// One grant's result in a bulk run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub what: String,
    /// `None` while the call is in flight.
    pub result: Option<(Level, String)>,
}

/// The per-grant results of the last retire or revoke, shown as a list.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRun {
    pub kind: WriteKind,
    pub dry_run: bool,
    /// (key id, grant id) → its row in `outcomes`.
    pub index: crate::app::data::FastMap<(String, String), usize>,
    pub outcomes: Vec<Outcome>,
    /// How many answers of each [`Level`] came, kept as they come so that neither a frame nor
    /// an answer counts the whole list.
    tally: [usize; 4],
}

impl BulkRun {
    /// A run of these targets, none answered yet.
    pub fn new(kind: WriteKind, dry_run: bool, targets: &[GrantTarget]) -> Self {
        let mut index =
            crate::app::data::FastMap::with_capacity_and_hasher(targets.len(), Default::default());
        let mut outcomes = Vec::with_capacity(targets.len());
        for (i, target) in targets.iter().enumerate() {
            index.insert(target.grant.id_pair(), i);
            outcomes.push(Outcome {
                what: describe_grant_on(target, key_label(target)),
                result: None,
            });
        }
        Self {
            kind,
            dry_run,
            index,
            outcomes,
            tally: [0; 4],
        }
    }

    /// Sets the answer of row `row`; `false` when it had one already.
    pub fn answer(&mut self, row: usize, level: Level, text: String) -> bool {
        match self.outcomes.get_mut(row) {
            Some(outcome) if outcome.result.is_none() => {
                outcome.result = Some((level, text));
                self.tally[level as usize] += 1;
                true
            }
            _ => false,
        }
    }

    /// Sets (or replaces) the answer of row `row`, keeping the tallies right.
    pub fn replace(&mut self, row: usize, level: Level, text: String) {
        let Some(outcome) = self.outcomes.get_mut(row) else {
            return;
        };
        if let Some((was, _)) = &outcome.result {
            self.tally[*was as usize] -= 1;
        }
        outcome.result = Some((level, text));
        self.tally[level as usize] += 1;
    }

    /// How many calls have answered.
    pub fn done(&self) -> usize {
        self.tally.iter().sum()
    }

    /// How many answers were of this level.
    pub fn count(&self, level: Level) -> usize {
        self.tally[level as usize]
    }

    /// Whether every call has answered.
    pub fn finished(&self) -> bool {
        self.done() == self.outcomes.len()
    }
}

impl App {
    /// Copies the message just said about one grant into the bulk run's outcome list, and sums
    /// the run up once every grant has answered.
    pub(in crate::app) fn record_outcome(&mut self, id: &(String, String)) {
        let Some(bulk) = &mut self.writes.bulk else {
            return;
        };
        let Some(&row) = bulk.index.get(id) else {
            return;
        };
        let (level, text) = self
            .screen
            .status
            .as_ref()
            .map(|s| (s.level, s.text.clone()))
            .unwrap_or((Level::Info, String::new()));
        if !bulk.answer(row, level, text) {
            return;
        }
        if bulk.finished() {
            let failed = bulk.count(Level::Error);
            let total = bulk.outcomes.len();
            let verb = if bulk.dry_run {
                format!("dry run of {}", bulk.kind.verb())
            } else {
                bulk.kind.verb().to_owned()
            };
            let gone = bulk.count(Level::Warning);
            let gone_note = if gone > 0 {
                format!(" ({gone} already gone or needing a look, shown with !)")
            } else {
                String::new()
            };
            let text = if failed == 0 {
                format!("{verb} of {total} grants finished: no errors{gone_note}")
            } else {
                format!(
                    "{verb} of {total} grants finished: {failed} failed and stay marked for another try{gone_note}"
                )
            };
            let level = if failed == 0 {
                Level::Success
            } else {
                Level::Error
            };
            self.say(level, text);
        }
    }
}
