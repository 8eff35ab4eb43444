//! Carries out the app's commands as tasks: a read or write goes to the current executor
//! behind one of two concurrency limits, a switch connects the new source, and every result
//! comes back on one channel as a [`Message`] that [`Dispatcher::receive`] turns into the
//! app's action.
//!
//! A panic in a task is caught here and answered as an error, so the app never waits for a
//! request forever. Nothing here reads keys or draws.

use super::executor::Executor;
use super::panic::panic_text;
use super::terminal::copy_to_clipboard;
use crate::app::action::SwitchedTo;
use crate::app::{Action, App, Command, Done, Effect};
use crate::connect::{ConnectError, Connected, Connector};
use crate::source::{KmsSource, SourceError};
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{Semaphore, mpsc};

/// What comes back from tasks.
pub(super) enum Message {
    Action(Action),
    /// A [`Effect::Switch`]'s new source (or why there is none).
    Switched {
        seq: u64,
        result: Result<Connected, ConnectError>,
    },
}

/// Carries out the app's commands: the current executor (replaced by a switch), the tasks'
/// way back, and the concurrency limits.
pub(super) struct Dispatcher {
    pub(super) executor: Arc<Executor>,
    /// Cleared when a switch replaces `executor`: the old source's reads still queued are then
    /// dropped instead of calling an account no longer shown (and holding up the new one's).
    pub(super) current: Arc<AtomicBool>,
    pub(super) connector: Arc<Connector>,
    pub(super) tx: mpsc::UnboundedSender<Message>,
    pub(super) limits: Limits,
}

impl Dispatcher {
    /// Starts every command; `true` when one of them quits.
    pub(super) fn dispatch(&self, commands: Vec<Command>) -> bool {
        for command in commands {
            match command {
                Command::Effect(Effect::Quit) => return true,
                Command::Effect(Effect::Copy { text }) => copy_to_clipboard(&text),
                Command::Effect(Effect::Switch { seq, target }) => {
                    let connector = Arc::clone(&self.connector);
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        // A panic is answered too: an unanswered switch would hold every write.
                        let result = AssertUnwindSafe(connector.connect(&target))
                            .catch_unwind()
                            .await
                            .unwrap_or_else(|payload| {
                                Err(ConnectError::Panicked(panic_text(payload.as_ref())))
                            });
                        let _ = tx.send(Message::Switched { seq, result });
                    });
                }
                command => spawn(
                    command,
                    &self.executor,
                    &self.current,
                    &self.tx,
                    &self.limits,
                ),
            }
        }
        false
    }

    /// Turns a task's message into the app's action. A switch's new source replaces the
    /// executor here, right before the app hears of it. Every command is dispatched as soon as
    /// the action that produced it is applied, so each command the app issued before goes to
    /// the old source, every one after to the new.
    pub(super) fn receive(&mut self, message: Message, app: &App) -> Action {
        match message {
            Message::Action(action) => action,
            Message::Switched { seq, result } => {
                let (action, source) = switch_answer(seq, result, app);
                if let Some(source) = source {
                    self.current.store(false, Ordering::Relaxed);
                    self.current = Arc::new(AtomicBool::new(true));
                    self.executor = Arc::new(Executor {
                        source,
                        audit: self.executor.audit.clone(),
                    });
                }
                action
            }
        }
    }
}

/// A [`Effect::Switch`]'s answer as the app's action, and the source to carry out commands
/// from now on: `None` when the switch failed or a later one replaced it.
pub fn switch_answer(
    seq: u64,
    result: Result<Connected, ConnectError>,
    app: &App,
) -> (Action, Option<Arc<dyn KmsSource>>) {
    match result {
        Err(err) => (
            Action::Done(Done::Switched {
                seq,
                result: Err(err.to_string()),
            }),
            None,
        ),
        Ok(connected) => {
            let to = SwitchedTo {
                target: connected.target,
                info: connected.source.info(),
                caller: connected.caller,
                read_only: connected.read_only,
            };
            let source = app.wants_switch(seq).then_some(connected.source);
            (
                Action::Done(Done::Switched {
                    seq,
                    result: Ok(to),
                }),
                source,
            )
        }
    }
}

/// Writes a failed request to the log (the error's sentence; no payload).
fn log_outcome(command: &str, action: &Action) {
    let Some(error) = action.failure() else {
        tracing::debug!(command, "done");
        return;
    };
    tracing::warn!(command, "{error}");
}

/// Requests the operator waits for (opening a key, a reload, a write) do not queue behind the
/// background loads: they have slots of their own.
pub(super) const URGENT_SLOTS: usize = 4;

/// The two concurrency limits.
pub(super) struct Limits {
    pub(super) background: Arc<Semaphore>,
    pub(super) urgent: Arc<Semaphore>,
}

/// Runs one command as a task; its results come back on `tx`.
fn spawn(
    command: Command,
    executor: &Arc<Executor>,
    current: &Arc<AtomicBool>,
    tx: &mpsc::UnboundedSender<Message>,
    limits: &Limits,
) {
    // Reads of an account the app has switched away from are not worth sending; writes always
    // go (none is in flight at a switch, and a write confirmed is a write sent).
    let read = command.is_read();
    let current = Arc::clone(current);
    let urgent = command.is_urgent();
    let executor = Arc::clone(executor);
    let tx = tx.clone();
    let limit = Arc::clone(if urgent {
        &limits.urgent
    } else {
        &limits.background
    });
    tokio::spawn(async move {
        // The semaphore is never closed, so acquiring only waits.
        let Ok(_permit) = limit.acquire_owned().await else {
            return;
        };
        if read && !current.load(Ordering::Relaxed) {
            return;
        }
        let name = command.name();
        tracing::debug!(command = name, "start");
        #[cfg(debug_assertions)]
        let executor = if super::crash_test::crash_test() == Some("task") && name == "LoadGrants" {
            // The task's panic, for tests/terminal.rs.
            Arc::new(Executor {
                source: Arc::new(super::crash_test::PanicsListingGrants(Arc::clone(
                    &executor.source,
                ))),
                audit: executor.audit.clone(),
            })
        } else {
            executor
        };
        // Boxed: a task still waiting for its slot (a bulk run queues thousands) holds only its
        // command, not the space of a whole call.
        let actions = match AssertUnwindSafe(Box::pin(executor.perform(command.clone())))
            .catch_unwind()
            .await
        {
            Ok(actions) => actions,
            // A bug, not the network: the request is answered with an error all the same, so
            // the app does not wait for it forever.
            Err(payload) => {
                let text = panic_text(payload.as_ref());
                let error = if read {
                    format!("an internal error stopped {name} ({text}); the log has the details")
                } else {
                    format!(
                        "an internal error stopped {name} ({text}) after it may have been sent: its outcome is unknown, reload to see; the log has the details"
                    )
                };
                command.failed(SourceError::Internal(error))
            }
        };
        for action in actions {
            log_outcome(name, &action);
            // The receiver is gone only when the app has quit; the result no longer matters.
            let _ = tx.send(Message::Action(action));
        }
    });
}
