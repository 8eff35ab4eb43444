//! The event loop: owns the terminal, turns terminal events and task results into actions, and
//! runs the app's commands as tasks with bounded concurrency.
//!
//! This is the only place that awaits. Key handling never waits for IO: each load or write is a
//! task whose result comes back through a channel as an action. The loop itself is here; the
//! terminal guard, the panic hook, the signals that stop the app, the dispatcher of tasks and
//! the executor of one command each have a file of their own. Writes are recorded by
//! [`crate::writer`], not here.

#[cfg(debug_assertions)]
mod crash_test;
mod dispatch;
mod executor;
mod panic;
mod signal;
mod terminal;
#[cfg(test)]
mod tests;

pub use dispatch::switch_answer;
pub use executor::Executor;
pub use signal::{StopSignal, Stopped};

use crate::app::{Action, App, Input};
use crate::connect::Connector;
use crate::domain::Timestamp;
use crate::ui::{self, theme::Theme};
use crossterm::event::{Event, EventStream, KeyEventKind};
use dispatch::{Dispatcher, Limits, Message, URGENT_SLOTS};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use signal::{Signals, stop};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// How long the event loop applies waiting answers before it draws and reads keys again.
const BURST_TIME: Duration = Duration::from_millis(30);

/// The window title: where the session points and who is calling, with nothing from AWS able
/// to end the title sequence early (every control character is replaced).
pub fn title(app: &App) -> String {
    let mut title = format!("kms-grants · {}", app.where_now());
    if let Some(caller) = &app.session.caller {
        title.push_str(" · ");
        title.push_str(&crate::domain::display::short_principal(
            &caller.arn,
            Some(&caller.account),
        ));
    }
    if app.session.read_only {
        title.push_str(" · READ-ONLY");
    }
    ui::text::clean(&title).into_owned()
}

/// Takes over the terminal, runs the app until it quits, and gives the terminal back. `log`
/// is where a crash report goes.
pub async fn run(
    app: App,
    executor: Arc<Executor>,
    connector: Arc<Connector>,
    theme: Theme,
    concurrency: usize,
    log: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let mut terminal = terminal::take_over()?;
    // Replaces the hook `try_init` installed, which would restore the terminal on a panic in
    // any thread, a background task's included: those become an error in the app instead.
    panic::install_panic_hook(log);
    let _guard = terminal::TerminalGuard::enter();
    // For the end-to-end tests of the crash paths (tests/terminal.rs); not in release builds.
    #[cfg(debug_assertions)]
    if crash_test::crash_test() == Some("ui") {
        panic!("KMS_GRANTS_CRASH_TEST is set");
    }
    event_loop(&mut terminal, app, executor, connector, theme, concurrency).await
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    executor: Arc<Executor>,
    connector: Arc<Connector>,
    theme: Theme,
    concurrency: usize,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let mut dispatcher = Dispatcher {
        executor,
        current: Arc::new(AtomicBool::new(true)),
        connector,
        tx,
        limits: Limits {
            background: Arc::new(Semaphore::new(concurrency.max(1))),
            urgent: Arc::new(Semaphore::new(URGENT_SLOTS)),
        },
    };
    let mut signals = Signals::new()?;
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(15));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.update(Action::Input(Input::Resize {
        width: size.width,
        height: size.height,
    }));
    if dispatcher.dispatch(app.start()) {
        return Ok(());
    }
    let mut shown_title = String::new();
    loop {
        app.screen.pace = dispatcher.executor.source.pace();
        terminal.draw(|frame| ui::draw(frame, &app, &theme))?;
        // A confirmation's quiet time runs from when it was first on screen, not from when
        // the key that opened it was read: keys buffered meanwhile are read after this.
        app.screen.confirm_guard.drawn(std::time::Instant::now());
        let title = title(&app);
        if title != shown_title {
            // The text has no control characters left to end the sequence early.
            terminal::set_title(&title);
            shown_title = title;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Action::Input(Input::KeyAt {
                    key,
                    at: std::time::Instant::now(),
                }),
                Some(Ok(Event::Paste(text))) => Action::Input(Input::Paste {
                    text,
                    at: std::time::Instant::now(),
                }),
                Some(Ok(Event::Resize(width, height))) => Action::Input(Input::Resize { width, height }),
                // Resizes and other events only need a redraw.
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(anyhow::anyhow!("cannot read from the terminal: {err}")),
                None => return Ok(()),
            },
            Some(message) = rx.recv() => dispatcher.receive(message, &app),
            _ = ticker.tick() => Action::Input(Input::Tick(Timestamp::now())),
            signal = signals.next() => {
                return Err(stop(Some(signal), &mut app, &mut dispatcher, &mut rx, terminal, &theme).await.into());
            }
        };
        let mut quit = dispatcher.dispatch(app.apply(action));
        // Apply the results already waiting before drawing again: a burst of loads costs one
        // recompute of the rows and one frame, not one each. Bounded, so answers that keep
        // streaming in (a bulk run over a fixture) never keep the keys waiting: the next
        // select takes a key press as readily as an answer.
        let burst = std::time::Instant::now();
        while !quit
            && burst.elapsed() < BURST_TIME
            && let Ok(message) = rx.try_recv()
        {
            let action = dispatcher.receive(message, &app);
            quit = dispatcher.dispatch(app.apply(action));
        }
        if quit {
            // Quit anyway while writes are in flight: they still get their grace.
            if app.writes.in_flight == 0 {
                return Ok(());
            }
            let stopped = stop(None, &mut app, &mut dispatcher, &mut rx, terminal, &theme).await;
            return if stopped.interrupted == 0 {
                Ok(())
            } else {
                Err(stopped.into())
            };
        }
        app.settle();
    }
}
