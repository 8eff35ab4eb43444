//! The terminal while the app owns it: taken over (raw mode, the alternate screen, bracketed
//! paste, the window title saved) and given back exactly once, by the guard's drop or by the
//! panic hook, whichever comes first; and the raw control sequences the event loop writes.
//!
//! Nothing here draws: `ui` does, through the `DefaultTerminal` [`take_over`] returns.

use ratatui::DefaultTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// Restores the terminal when dropped, so an early return or `?` leaves it usable, and gives
/// back the window title the session replaced.
pub(super) struct TerminalGuard;

impl TerminalGuard {
    /// Saves the window title and turns bracketed paste on; both are undone on drop.
    pub(super) fn enter() -> Self {
        write_raw(TITLE_PUSH);
        write_raw(PASTE_ON);
        Self
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        give_terminal_back();
    }
}

/// Whether the terminal was given back already (by the panic hook, before the guard).
static GIVEN_BACK: AtomicBool = AtomicBool::new(false);

/// Leaves the alternate screen and raw mode, shows the cursor and restores the title: once,
/// whichever of the guard and the panic hook comes first.
pub(super) fn give_terminal_back() {
    if !GIVEN_BACK.swap(true, Ordering::SeqCst) {
        write_raw(PASTE_OFF);
        ratatui::restore();
        write_raw(TITLE_POP);
    }
}

/// xterm's title stack: save the terminal's title on entry and put it back on exit.
const TITLE_PUSH: &str = "\x1b[22;0t";
const TITLE_POP: &str = "\x1b[23;0t";
/// Bracketed paste: the terminal marks pasted text, which then arrives as one event that only
/// fills a text field, instead of as key presses that could answer a confirmation.
const PASTE_ON: &str = "\x1b[?2004h";
const PASTE_OFF: &str = "\x1b[?2004l";

/// Raw mode and the alternate screen (`ratatui::try_init`), or the sentence saying why the app
/// cannot run here. `try_init` also installs a panic hook; the caller replaces it.
pub(super) fn take_over() -> anyhow::Result<DefaultTerminal> {
    use std::io::IsTerminal;
    const SCRIPTS: &str =
        "run it in a terminal, or use `kms-grants check` or `kms-grants record` in scripts";
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the app needs a terminal (stdout is not a tty): {SCRIPTS}");
    }
    // Without a tty on stdin, keys are read from /dev/tty, which a process without a
    // controlling terminal cannot open ("No such device or address").
    ratatui::try_init().map_err(|err| {
        if std::io::stdin().is_terminal() {
            anyhow::anyhow!("cannot set up the terminal: {}", crate::io_reason::io_reason(&err))
        } else {
            anyhow::anyhow!("the app needs a terminal (stdin is not a tty and there is no controlling terminal): {SCRIPTS}")
        }
    })
}

/// Sets the window title (OSC 2); `title` must have no control characters left to end the
/// sequence early.
pub(super) fn set_title(title: &str) {
    write_raw(&format!("\x1b]2;{title}\x07"));
}

/// Asks the terminal to put `text` on the clipboard (OSC 52). Terminals that do not support it
/// ignore the sequence; the text is base64, so nothing in it can reach the terminal raw.
pub(super) fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    // A failed write only means the clipboard stays as it was.
    let _ = write!(out, "\x1b]52;c;{encoded}\x07").and_then(|()| out.flush());
}

/// Writes a control sequence to the terminal; a failure only means it is not applied.
fn write_raw(sequence: &str) {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out
        .write_all(sequence.as_bytes())
        .and_then(|()| out.flush());
}
