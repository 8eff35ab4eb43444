//! Input that cannot confirm by accident: pasted text, and the moment after a confirmation
//! opens.
//!
//! With bracketed paste on, a paste arrives as one [`Input::Paste`](super::Input::Paste) and
//! only ever fills the text field being edited (the filter, the command line, a picker's query,
//! a bulk confirmation's typed count); everywhere else it is ignored. A terminal without
//! bracketed paste types a paste as keys, so a confirmation also ignores keys for a moment after
//! it opens ([`ConfirmGuard`]): a burst of input that opened a dialog never answers it.
//!
//! Nothing here reads the clock: the runtime stamps each key with the instant it was read, and
//! tests give their own.

use super::{App, Command, Level, Modal};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

/// The most characters a paste (or typing) puts into the filter: longer never matches a cell,
/// and each character costs a pass over the shown rows.
pub const FILTER_MAX: usize = 256;
/// The most characters a paste puts into the command line (a grant token is about 300–700).
pub const COMMAND_MAX: usize = 8192;
/// The most characters a paste puts into a picker's query.
pub const PICKER_MAX: usize = 256;

/// The default quiet time after a confirmation opens (`confirm_delay_ms` in the config).
pub const DEFAULT_CONFIRM_DELAY: Duration = Duration::from_millis(300);

/// Keys closer together than this are one burst (a paste typed as keys, a key held down): no
/// person types that fast, so such keys never answer a confirmation.
pub const BURST_GAP: Duration = Duration::from_millis(30);

/// Keeps a confirmation deaf to input the operator did not mean as its answer.
///
/// When a dialog that asks for an answer opens, keys are ignored until `delay` has passed; a
/// key that arrives meanwhile is dropped and starts the wait again, so a burst (a paste typed as
/// keys, a key held down) is dropped whole however long it lasts. The wait starts again when the
/// dialog is first drawn, so keys that were read late (the app was busy) count from when the
/// operator could see it. In an open dialog, a key that comes within [`BURST_GAP`] of the one
/// before, or a paste, makes it deaf again. The first key after a quiet `delay` is the answer.
#[derive(Debug, Clone, Default)]
pub struct ConfirmGuard {
    /// How long a confirmation stays deaf; zero turns the guard off (tests).
    pub delay: Duration,
    /// Keys before this instant are dropped; `None` when no dialog is guarded.
    until: Option<Instant>,
    /// When the previous key or paste was read.
    last: Option<Instant>,
    /// Opened and not drawn yet.
    unseen: bool,
}

impl ConfirmGuard {
    /// A guard with this quiet time.
    pub fn new(delay: Duration) -> Self {
        Self {
            delay,
            ..Self::default()
        }
    }

    fn on(&self) -> bool {
        !self.delay.is_zero()
    }

    /// A confirmation opened at `now` (by the key read at `now`).
    pub fn opened(&mut self, now: Instant) {
        self.until = self.on().then(|| now + self.delay);
        self.unseen = self.on();
    }

    /// The first frame that shows the dialog was drawn at `now`: the quiet time runs from here.
    pub fn drawn(&mut self, now: Instant) {
        if std::mem::take(&mut self.unseen)
            && let Some(until) = self.until
        {
            self.until = Some(until.max(now + self.delay));
        }
    }

    /// Input that is no answer (a paste) came at `now`: deaf again for the quiet time.
    pub fn rearm(&mut self, now: Instant) {
        self.last = Some(now);
        if self.on() {
            self.until = Some(now + self.delay);
        }
    }

    /// The dialog closed: nothing to guard.
    pub fn closed(&mut self) {
        self.until = None;
        self.unseen = false;
    }

    /// A key read at `now` outside a guarded dialog (for telling bursts apart).
    pub fn saw(&mut self, now: Instant) {
        self.last = Some(now);
    }

    /// Whether input read at `now` must be dropped. A dropped key extends the quiet time; a
    /// taken one ends the guard until the next burst or paste.
    pub fn drops(&mut self, now: Instant) -> bool {
        let burst = self.on()
            && self
                .last
                .is_some_and(|last| now.saturating_duration_since(last) < BURST_GAP);
        self.last = Some(now);
        match self.until {
            Some(until) if now < until => {
                self.until = Some(now + self.delay);
                true
            }
            _ if burst => {
                self.until = Some(now + self.delay);
                true
            }
            _ => {
                self.until = None;
                false
            }
        }
    }

    /// Whether the guard is still waiting for quiet.
    pub fn is_armed(&self) -> bool {
        self.until.is_some()
    }

    /// Whether input at `now` falls in the quiet time.
    pub fn is_deaf_at(&self, now: Instant) -> bool {
        self.until.is_some_and(|until| now < until)
    }
}

impl App {
    /// Whether the open dialog waits for an answer that sends something (or quits with writes
    /// in flight): the dialogs the guard protects.
    pub fn asks_answer(&self) -> bool {
        matches!(
            self.screen.modal,
            Modal::Confirm(_)
                | Modal::ConfirmQuit
                | Modal::History {
                    confirming: true,
                    ..
                }
        )
    }

    /// A key read at `at`. While a confirmation is still deaf (it just opened, or the burst that
    /// opened it goes on), the key is dropped, except Esc, `n` and ctrl-c, which only ever
    /// cancel or ask.
    pub(super) fn on_key_at(&mut self, key: KeyEvent, at: Instant) -> Vec<Command> {
        let escape = matches!(key.code, KeyCode::Esc | KeyCode::Char('n' | 'N'))
            || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL));
        if self.asks_answer() && !escape {
            if self.screen.confirm_guard.drops(at) {
                self.say(
                    Level::Warning,
                    "a key that came in a burst of input (with the key that opened this confirmation, or a paste) was ignored: read it, then answer",
                );
                return Vec::new();
            }
        } else {
            self.screen.confirm_guard.saw(at);
        }
        let was_asking = self.asks_answer();
        let commands = self.on_key(key);
        if !self.asks_answer() {
            self.screen.confirm_guard.closed();
        } else if !was_asking {
            self.screen.confirm_guard.opened(at);
        }
        commands
    }

    /// Pasted text: it fills the field being edited (the filter, the command line, a picker's
    /// query, a bulk confirmation's count) as one line, and is ignored everywhere else. It never
    /// presses Enter: what a paste holds is never run, confirmed or sent.
    pub(super) fn on_paste(&mut self, text: &str, at: Instant) -> Vec<Command> {
        if self.too_small() {
            return Vec::new();
        }
        // A paste is never an answer, and a key right behind it (a paste that smuggles an
        // end-of-paste marker, then `y`) is not one either: the dialog is deaf again.
        let asking = self.asks_answer();
        if asking {
            let deaf = self.screen.confirm_guard.is_deaf_at(at);
            self.screen.confirm_guard.rearm(at);
            if deaf {
                self.say(
                    Level::Warning,
                    "pasted text never answers a confirmation; it was ignored",
                );
                return Vec::new();
            }
        } else {
            self.screen.confirm_guard.saw(at);
        }
        let room = |field: &str, max: usize| max.saturating_sub(field.chars().count());
        let mut cut = false;
        match &mut self.screen.modal {
            Modal::Filter => {
                let used = self.current_list().map_or(0, |l| l.filter.chars().count());
                let (line, was_cut) = one_line(text, FILTER_MAX.saturating_sub(used));
                cut = was_cut;
                self.set_filter(|f| f.push_str(&line));
            }
            Modal::Command(line) => {
                let (pasted, was_cut) = one_line(text, room(line, COMMAND_MAX));
                cut = was_cut;
                line.push_str(&pasted);
                self.screen.completions = None;
            }
            Modal::Picker(picker) => {
                let (pasted, was_cut) = one_line(text, room(&picker.filter, PICKER_MAX));
                cut = was_cut;
                picker.filter.push_str(&pasted);
                picker.cursor = 0;
            }
            Modal::Confirm(change) if change.needs_count() => {
                let (pasted, _) = one_line(text, COMMAND_MAX);
                if !pasted.is_empty() && pasted.chars().all(|c| c.is_ascii_digit()) {
                    let take = 9usize.saturating_sub(change.typed.len());
                    change.typed.extend(pasted.chars().take(take));
                } else {
                    self.say(
                        Level::Warning,
                        "only a number can be pasted here; the paste was ignored",
                    );
                }
            }
            _ => self.say(
                Level::Info,
                "pasted text only goes into a text field (the / filter, the : command line); it was ignored",
            ),
        }
        if cut {
            self.say(Level::Warning, "the paste was too long and was cut");
        }
        Vec::new()
    }
}

/// A paste as one line of plain text: line breaks and tabs become spaces, other control
/// characters (escape sequences, a terminal's end-of-paste marker) are dropped, the ends are
/// trimmed, and at most `max` characters are kept. Returns the text and whether it was cut.
pub fn one_line(text: &str, max: usize) -> (String, bool) {
    let mut out = String::new();
    let mut count = 0;
    let mut cut = false;
    for c in text.chars() {
        let c = match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || is_invisible(c) => continue,
            c => c,
        };
        if count == max {
            cut = true;
            break;
        }
        out.push(c);
        count += 1;
    }
    let trimmed = out.trim();
    (trimmed.to_owned(), cut)
}

/// Whether `text` may go to the clipboard: it holds no control character (a newline, an
/// escape that ends a bracketed paste) and nothing invisible, so what is pasted is what was
/// shown.
pub fn safe_to_copy(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() || is_invisible(c))
}

/// Characters that draw nothing or reorder text (zero-width, soft hyphen, bidi controls,
/// variation selectors, tags): a pasted filter or a copied id holding one would not be what the
/// operator sees. The same set the screen replaces with stand-ins.
fn is_invisible(c: char) -> bool {
    crate::ui::text::is_unsafe(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_dropped_whole_and_the_first_key_after_quiet_is_taken() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut guard = ConfirmGuard::new(ms(300));
        guard.opened(t0);
        // A paste typed as keys: every key 5 ms after the last, for a second.
        for i in 1..200 {
            assert!(
                guard.drops(t0 + ms(5 * i)),
                "key {i} of the burst was taken"
            );
        }
        // Quiet for the delay after the burst's last key: the next key is the answer.
        assert!(!guard.drops(t0 + ms(5 * 199 + 300)));
        assert!(!guard.is_armed());
        assert!(!guard.drops(t0 + ms(5 * 199 + 400)));
        // A key 1 ms behind the one before is a burst again, and makes the dialog deaf.
        assert!(guard.drops(t0 + ms(5 * 199 + 401)));
        assert!(guard.is_armed());
    }

    #[test]
    fn a_zero_delay_guards_nothing() {
        let mut guard = ConfirmGuard::new(Duration::ZERO);
        let now = Instant::now();
        guard.opened(now);
        assert!(!guard.drops(now));
    }

    #[test]
    fn pasted_text_becomes_one_clean_line() {
        assert_eq!(one_line("proxy\n", 10), ("proxy".to_owned(), false));
        assert_eq!(
            one_line("a\tb\r\nc\x1b[201~d\u{200b}", 50),
            ("a b  c[201~d".to_owned(), false)
        );
        assert_eq!(one_line("abcdef", 3), ("abc".to_owned(), true));
    }
}
