//! Dialogs drawn over the views: one module per dialog (the single and bulk confirmations, the
//! bulk run's outcomes, the session's history, the profile and region pickers, the quit
//! question and help), each a pure function of the app state like the rest of `ui`.
//!
//! Their state and keys are `app::modal`'s; this module only routes the open dialog to the
//! module that draws it.

mod confirm;
mod help;
mod history;
mod outcomes;
mod picker;
mod quit;

use super::theme::Theme;
use crate::app::{App, Modal};
use ratatui::Frame;
use ratatui::layout::Rect;

/// Draws the open dialog, if any, over `area` (the whole screen).
pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    match &app.screen.modal {
        Modal::Help { scroll } => help::draw(frame, area, app, *scroll, theme),
        Modal::Confirm(change) => confirm::draw(frame, area, app, change, theme),
        Modal::ConfirmQuit => quit::draw(frame, area, app, theme),
        Modal::Outcomes { scroll } => outcomes::draw(frame, area, app, *scroll, theme),
        Modal::History { cursor, confirming } => {
            history::draw(frame, area, app, *cursor, *confirming, theme)
        }
        Modal::Picker(picker) => picker::draw(frame, area, picker, theme),
        Modal::None | Modal::Filter | Modal::Command(_) => {}
    }
}
