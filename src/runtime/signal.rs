//! How the app stops on a signal, or on a quit while writes are in flight: the signals that end
//! it, the grace the writes in flight get to answer, and the [`Stopped`] error that says what
//! was left unanswered (and gives the exit code).
//!
//! The terminal is given back by the event loop's guard after [`stop`] returns, not here; the
//! writes' own bookkeeping is in [`crate::writer::in_flight`].

use super::dispatch::{Dispatcher, Message};
use crate::app::App;
use crate::ui::{self, theme::Theme};
use ratatui::DefaultTerminal;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the writes in flight may take to answer once a signal asks the app to stop.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The signals that end the app: each gives the terminal back first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Term,
    Int,
    Hup,
}

impl StopSignal {
    pub fn name(self) -> &'static str {
        match self {
            Self::Term => "SIGTERM",
            Self::Int => "SIGINT",
            Self::Hup => "SIGHUP",
        }
    }

    /// The exit code a shell expects of a process ended by this signal (128 + its number).
    pub fn exit_code(self) -> u8 {
        128 + match self {
            Self::Hup => 1,
            Self::Int => 2,
            Self::Term => 15,
        }
    }
}

/// The app ended on a signal, or was quit while writes were in flight and some never
/// answered: the terminal was given back, writes in flight were given `STOP_GRACE` (5 s) to
/// answer, and `interrupted` of them did not (recorded so in the audit log).
#[derive(Debug, thiserror::Error)]
#[error("{}; {}", match signal { Some(s) => format!("stopped by {}", s.name()), None => "quit with writes in flight".to_owned() }, stopped_detail(*interrupted))]
pub struct Stopped {
    /// `None` when the operator quit.
    pub signal: Option<StopSignal>,
    pub interrupted: usize,
}

impl Stopped {
    /// 128 + the signal's number, or 1 after a quit that left writes unanswered.
    pub fn exit_code(&self) -> u8 {
        self.signal.map_or(1, StopSignal::exit_code)
    }
}

fn stopped_detail(interrupted: usize) -> String {
    match interrupted {
        0 => "no write was left without its outcome in the audit log".to_owned(),
        n => format!(
            "{n} write{} sent had not answered and {} recorded as interrupted in the audit log: list those keys' grants to see what happened",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        ),
    }
}

/// SIGTERM, SIGINT and SIGHUP as one stream (raw mode turns ctrl-c into a key, so SIGINT only
/// comes from outside, like the others).
pub(super) struct Signals {
    #[cfg(unix)]
    streams: [(StopSignal, tokio::signal::unix::Signal); 3],
}

impl Signals {
    pub(super) fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                streams: [
                    (StopSignal::Term, signal(SignalKind::terminate())?),
                    (StopSignal::Int, signal(SignalKind::interrupt())?),
                    (StopSignal::Hup, signal(SignalKind::hangup())?),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The next signal.
    pub(super) async fn next(&mut self) -> StopSignal {
        #[cfg(unix)]
        {
            let [(a, sa), (b, sb), (c, sc)] = &mut self.streams;
            tokio::select! {
                _ = sa.recv() => *a,
                _ = sb.recv() => *b,
                _ = sc.recv() => *c,
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// Stops on `signal` (or a quit, `None`): nothing new is sent, the writes in flight get
/// [`STOP_GRACE`] to answer (their outcomes are written to the audit log by their own tasks
/// meanwhile), and those that did not are recorded as interrupted. The caller's guard then
/// gives the terminal back.
pub(super) async fn stop(
    signal: Option<StopSignal>,
    app: &mut App,
    dispatcher: &mut Dispatcher,
    rx: &mut mpsc::UnboundedReceiver<Message>,
    terminal: &mut DefaultTerminal,
    theme: &Theme,
) -> Stopped {
    crate::writer::in_flight::stop_sending();
    let why = signal.map_or("quitting", StopSignal::name);
    tracing::warn!(why, writes = app.writes.in_flight, "stopping");
    let deadline = tokio::time::Instant::now() + STOP_GRACE;
    let mut drawn: Option<tokio::time::Instant> = None;
    while app.writes.in_flight > 0 {
        app.screen.status = Some(crate::app::Status {
            level: crate::app::Level::Warning,
            text: format!(
                "stopping ({why}): waiting up to {} s for {} write(s) in flight to answer",
                STOP_GRACE.as_secs(),
                app.writes.in_flight
            ),
        });
        // A frame at most every 100 ms: a bulk run's queued writes all answer at once here.
        if drawn.is_none_or(|at| at.elapsed() >= Duration::from_millis(100)) {
            app.settle();
            // After a hangup there may be no terminal left to draw on.
            let _ = terminal.draw(|frame| ui::draw(frame, app, theme));
            drawn = Some(tokio::time::Instant::now());
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(message)) => {
                let action = dispatcher.receive(message, app);
                // Answers only count down now: nothing they would start is sent.
                let _ = app.apply(action);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let ended = match signal {
        Some(signal) => format!("kms-grants was stopped by {}", signal.name()),
        None => "kms-grants was quit".to_owned(),
    };
    let interrupted = crate::writer::in_flight::record_interrupted(&ended);
    Stopped {
        signal,
        interrupted,
    }
}
