//! What a panic does while the app runs: on the UI thread the terminal is given back and one
//! short sentence goes to stderr; in a background task it is only logged, and the task's
//! request is answered with an error instead (see the dispatcher).
//!
//! This hook replaces the one `ratatui::try_init` installs, which would restore the terminal
//! on a panic in any thread. It does not catch anything itself.

use super::terminal::give_terminal_back;
use crate::ui;

/// The text of a panic's payload.
pub(super) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// On a panic of the UI thread: the terminal is restored, one short message with the log's
/// path goes to stderr, the details (with a backtrace) to the log, and the process exits
/// non-zero (the panic unwinds out of `main`). A panic in a background task is only logged:
/// the dispatcher turns it into an error the app shows.
pub(super) fn install_panic_hook(log: Option<std::path::PathBuf>) {
    std::panic::set_hook(Box::new(move |info| {
        let message = panic_text(info.payload());
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::force_capture();
        let thread = std::thread::current();
        tracing::error!(
            thread = thread.name().unwrap_or("unnamed"),
            "panic at {place}: {message}\n{backtrace}"
        );
        if thread.name() != Some("main") {
            return;
        }
        give_terminal_back();
        let details = match &log {
            Some(path) => format!("the details are in {}", path.display()),
            None => "there is no log file (see --log-file)".to_owned(),
        };
        // The message can quote a string the program held: cleaned like any outside text. A
        // closed stderr is no reason to abort.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "kms-grants crashed ({}); {details}. Please report it.",
            ui::text::clean(&message)
        );
    }));
}
