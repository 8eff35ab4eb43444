//! What the status line says: a message and its [`Level`].
//!
//! Only the two types, with nothing from the rest of `app`, so that every part of the app (the
//! state, the dialogs, the writes and their outcomes, the input) can word a message without
//! depending on another.

/// How a status message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

/// The message in the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub level: Level,
    pub text: String,
}
