//! The event loop: owns the terminal, turns terminal events and task results into actions, and
//! runs the app's commands as tasks with bounded concurrency.
//!
//! This is the only place that awaits. Key handling never waits for IO: each load or write is a
//! task whose result comes back through a channel as an action.

use crate::app::{Action, App, Command};
use crate::domain::Timestamp;
use crate::source::KmsSource;
use crate::ui::{self, theme::Theme};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// Restores the terminal when dropped, so an early return or `?` leaves it usable.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Takes over the terminal, runs the app until it quits, and gives the terminal back.
pub async fn run(
    app: App,
    source: Arc<dyn KmsSource>,
    theme: Theme,
    concurrency: usize,
) -> anyhow::Result<()> {
    // `try_init` installs a panic hook that restores the terminal before the panic is printed.
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    event_loop(&mut terminal, app, source, theme, concurrency).await
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    source: Arc<dyn KmsSource>,
    theme: Theme,
    concurrency: usize,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let limits = Limits {
        background: Arc::new(Semaphore::new(concurrency.max(1))),
        urgent: Arc::new(Semaphore::new(URGENT_SLOTS)),
    };
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(15));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.update(Action::Resize {
        width: size.width,
        height: size.height,
    });
    let mut commands = app.start();
    loop {
        for command in commands.drain(..) {
            if command == Command::Quit {
                return Ok(());
            }
            spawn(command, &source, &tx, &limits);
        }
        terminal.draw(|frame| ui::draw(frame, &app, &theme))?;
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Action::Key(key),
                Some(Ok(Event::Resize(width, height))) => Action::Resize { width, height },
                // Resizes and other events only need a redraw.
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(anyhow::anyhow!("cannot read from the terminal: {err}")),
                None => return Ok(()),
            },
            Some(action) = rx.recv() => action,
            _ = ticker.tick() => Action::Tick(Timestamp::now()),
        };
        commands = app.update(action);
        // Apply every result already waiting before drawing again: a burst of loads costs one
        // frame, not one frame each.
        while let Ok(action) = rx.try_recv() {
            commands.extend(app.update(action));
        }
    }
}

/// Requests the operator waits for (opening a key, a reload, a write) do not queue behind the
/// background loads: they have slots of their own.
const URGENT_SLOTS: usize = 4;

/// The two concurrency limits.
struct Limits {
    background: Arc<Semaphore>,
    urgent: Arc<Semaphore>,
}

/// Runs one command as a task; its result comes back on `tx`.
fn spawn(
    command: Command,
    source: &Arc<dyn KmsSource>,
    tx: &mpsc::UnboundedSender<Action>,
    limits: &Limits,
) {
    let urgent = matches!(
        command,
        Command::LoadGrants { urgent: true, .. }
            | Command::DeleteGrant { .. }
            | Command::RetireToken { .. }
            | Command::LoadRetirable { .. }
    );
    let source = Arc::clone(source);
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
        if let Some(action) = perform(command, source.as_ref()).await {
            // The receiver is gone only when the app has quit; the result no longer matters.
            let _ = tx.send(action);
        }
    });
}

/// Carries out one command against the source and returns its result as an action (`None` for
/// commands the event loop handles itself, such as `Quit`).
pub async fn perform(command: Command, source: &dyn KmsSource) -> Option<Action> {
    Some(match command {
        Command::LoadCaller => Action::CallerLoaded {
            result: source.caller().await,
        },
        Command::LoadKeys { req } => Action::KeysLoaded {
            req,
            result: source.list_keys().await,
        },
        Command::DescribeKey { req, key_id } => {
            let result = source.describe_key(&key_id).await;
            Action::KeyDescribed {
                req,
                key_id,
                result,
            }
        }
        Command::RetireToken { token, dry_run } => Action::TokenRetired {
            result: source.retire_with_token(&token, dry_run).await,
        },
        Command::LoadGrants { req, key_id, .. } => {
            let result = source.list_grants(&key_id).await;
            Action::GrantsLoaded {
                req,
                key_id,
                result,
            }
        }
        Command::LoadPrincipals { req } => Action::PrincipalsLoaded {
            req,
            result: source.known_retiring_principals().await,
        },
        Command::LoadRetirable { req, principal } => {
            let result = source.list_retirable_grants(&principal).await;
            Action::RetirableLoaded {
                req,
                principal,
                result,
            }
        }
        Command::DeleteGrant {
            kind,
            target,
            dry_run,
        } => {
            let result = source
                .delete_grant(kind, target.key_id(), &target.grant.grant_id, dry_run)
                .await;
            Action::GrantDeleted {
                kind,
                target,
                result,
            }
        }
        Command::Quit => return None,
    })
}
