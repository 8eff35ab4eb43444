//! Browsing: moving the cursor, drilling into a key or a principal and back, the detail
//! view, marks, copying, exporting, and jumping to a principal's retirable grants.
//!
//! The rows themselves (cells, sorting, filtering) are [`list`](super::list)'s business.

use super::data::Load;
use super::list::{self, CellContext, ListKind, ListView};
use super::{App, Command, DetailView, Effect, Level, Tab, View, export, input};
use crate::domain::findings::FindingKind;
use crate::domain::key_id_of;
use std::cell::Cell;

impl App {
    pub(in crate::app) fn move_by(&mut self, delta: isize) -> Vec<Command> {
        let data = &self.data;
        let stack = &mut self.screen.stacks[self.screen.tab as usize];
        match stack.last_mut() {
            Some(View::List(list)) => {
                let target = if delta == isize::MIN {
                    0
                } else if delta == isize::MAX {
                    list.rows.len().saturating_sub(1)
                } else {
                    list.cursor.saturating_add_signed(delta)
                };
                list.move_to(target, data);
            }
            Some(View::Detail(detail)) => {
                let scroll = detail.scroll.get();
                let next = if delta == isize::MIN {
                    0
                } else if delta == isize::MAX {
                    u16::MAX
                } else {
                    scroll.saturating_add_signed(delta.clamp(-1000, 1000) as i16)
                };
                detail.scroll.set(next);
            }
            None => {}
        }
        Vec::new()
    }

    pub(in crate::app) fn open(&mut self) -> Vec<Command> {
        let Some(list) = self.current_list() else {
            return Vec::new();
        };
        let Some(index) = list.selected_index() else {
            return Vec::new();
        };
        let kind = list.kind.clone();
        let mut commands = Vec::new();
        let next = match &kind {
            ListKind::Keys => {
                let Some(key) = list::key_at(&self.data, index) else {
                    return Vec::new();
                };
                let key_id = key.id().to_owned();
                // Not loaded yet (or still queued behind the background loads): ask again, ahead
                // of the queue; the queued answer is then dropped as superseded.
                if self
                    .data
                    .grants
                    .get(&key_id)
                    .and_then(Load::loaded)
                    .is_none()
                {
                    commands.push(self.load_grants_now(&key_id, true));
                }
                View::List(ListView::new(ListKind::Grants { key_id }))
            }
            ListKind::Principals => {
                let Some(principal) = list::principal_at(&self.data, index) else {
                    return Vec::new();
                };
                let principal = principal.to_owned();
                if !matches!(
                    self.data.retirable.get(&principal),
                    Some(load) if load.loaded().is_some() || load.is_pending()
                ) {
                    commands.push(self.load_retirable(&principal));
                }
                View::List(ListView::new(ListKind::Retirable { principal }))
            }
            ListKind::Grants { .. } | ListKind::Retirable { .. } => {
                let Some(grant) = list::grant_at(&self.data, &kind, index) else {
                    return Vec::new();
                };
                View::Detail(Box::new(DetailView {
                    target: self.target_for(grant),
                    scroll: Cell::new(0),
                }))
            }
        };
        self.push_view(next);
        commands
    }

    pub(in crate::app) fn push_view(&mut self, mut view: View) {
        if let View::List(list) = &mut view {
            list.recompute(self.cell_context());
        }
        self.screen.stacks[self.screen.tab as usize].push(view);
    }

    pub(in crate::app) fn back(&mut self) -> Vec<Command> {
        let ctx = CellContext {
            data: &self.data,
            now: self.now,
            stale_after_days: self.session.stale_after_days,
        };
        let stack = &mut self.screen.stacks[self.screen.tab as usize];
        // Esc first clears what narrows the list: the filter, then the finding.
        if let Some(View::List(list)) = stack.last_mut()
            && (!list.filter.is_empty() || list.finding.is_some())
        {
            if list.filter.is_empty() {
                list.finding = None;
            } else {
                list.filter.clear();
            }
            list.refilter(ctx);
            return Vec::new();
        }
        if stack.len() > 1 {
            stack.pop();
        }
        Vec::new()
    }

    /// `y`: the grant id, key ARN or principal ARN under the cursor, to the clipboard.
    pub(in crate::app) fn copy_selected(&mut self) -> Vec<Command> {
        let (what, text) = match self.current_view() {
            View::Detail(detail) => ("grant id", detail.target.grant.grant_id.to_string()),
            View::List(list) => {
                let Some(index) = list.selected_index() else {
                    return Vec::new();
                };
                match &list.kind {
                    ListKind::Keys => match list::key_at(&self.data, index) {
                        Some(key) => ("key ARN", key.metadata.arn.clone()),
                        None => return Vec::new(),
                    },
                    ListKind::Principals => match list::principal_at(&self.data, index) {
                        Some(p) => ("principal", p.to_owned()),
                        None => return Vec::new(),
                    },
                    kind => match list::grant_at(&self.data, kind, index) {
                        Some(grant) => ("grant id", grant.grant_id.to_string()),
                        None => return Vec::new(),
                    },
                }
            }
        };
        // What is copied is pasted somewhere next, often a shell: a control character (a
        // newline, the end-of-paste marker ESC [201~) could run a command there.
        if !input::safe_to_copy(&text) {
            self.say(
                Level::Warning,
                format!(
                    "the {what} holds control or invisible characters, so it was not copied (pasted into a shell it could run a command)"
                ),
            );
            return Vec::new();
        }
        self.say(
            Level::Info,
            format!("copied the {what} {text} (through the terminal, OSC 52)"),
        );
        vec![Command::Effect(Effect::Copy { text })]
    }

    pub(in crate::app) fn toggle_mark(&mut self) -> Vec<Command> {
        let Some(list) = self.current_list() else {
            return Vec::new();
        };
        if !list.kind.holds_grants() {
            self.say(Level::Info, "marks are for grants: open a key first");
            return Vec::new();
        }
        let Some(grant) = list
            .selected_index()
            .and_then(|i| list::grant_at(&self.data, &list.kind, i))
        else {
            return Vec::new();
        };
        let id = grant.id_pair();
        if !self.writes.marks.remove(&id) {
            self.writes.marks.insert(id);
        }
        self.move_by(1)
    }

    pub(in crate::app) fn show_retirable(&mut self, principal: &str) -> Vec<Command> {
        let principal = principal.to_owned();
        if let Some(known) = self.data.principals.loaded_mut()
            && !known.contains(&principal)
        {
            known.push(principal.clone());
        }
        let mut commands = Vec::new();
        if !matches!(
            self.data.retirable.get(&principal),
            Some(load) if load.loaded().is_some() || load.is_pending()
        ) {
            commands.push(self.load_retirable(&principal));
        }
        self.screen.tab = Tab::Retirable;
        let stack = &mut self.screen.stacks[Tab::Retirable as usize];
        stack.truncate(1);
        self.refresh(None, |list| list.kind == ListKind::Principals);
        self.settle();
        // Put the cursor of the principals list on this principal, so Back lands on it.
        let data = &self.data;
        if let Some(View::List(list)) = self.screen.stacks[Tab::Retirable as usize].first_mut()
            && let Some(position) = list
                .rows
                .iter()
                .position(|&i| list::principal_at(data, i) == Some(principal.as_str()))
        {
            list.move_to(position, data);
        }
        self.push_view(View::List(ListView::new(ListKind::Retirable { principal })));
        commands
    }

    /// `:export FILE`: the current list as it is shown (filtered and sorted), with full values.
    pub(in crate::app) fn export(&mut self, path: &str, overwrite: bool) -> Vec<Command> {
        let Some(format) = export::Format::from_path(path) else {
            self.say(
                Level::Error,
                format!(":export writes .csv or .json files, and \"{path}\" is neither"),
            );
            return Vec::new();
        };
        let Some(list) = self.current_list() else {
            self.say(
                Level::Info,
                "open a list to export it (the detail view has no rows)",
            );
            return Vec::new();
        };
        let (contents, rows) = export::render(
            &self.data,
            list,
            format,
            self.now,
            self.session.stale_after_days,
        );
        vec![Command::Effect(Effect::Export {
            path: path.to_owned(),
            contents,
            rows,
            overwrite,
        })]
    }

    /// How many of the marks the current list shows (the footer counts the others apart):
    /// counted once per change of the marks or of the list's rows, not once per frame.
    pub fn marks_shown(&self) -> usize {
        let Some(list) = self.current_list() else {
            return 0;
        };
        let versions = (self.writes.marks.version(), list.rows_version());
        if let Some((counted, shown)) = self.screen.marks_shown.get()
            && counted == versions
        {
            return shown;
        }
        let shown = match &list.kind {
            _ if self.writes.marks.is_empty() => 0,
            // One key's grants, unfiltered: every grant of the key is a row, and its marks are
            // on grants it lists (a reload drops the others), so they are all shown. Counted
            // over the marks' ordered range, without hashing: a bulk run changes the marks
            // with every answer.
            ListKind::Grants { key_id } if list.filter.is_empty() && list.finding.is_none() => {
                let key = key_id_of(key_id);
                self.writes
                    .marks
                    .range((key.to_owned(), String::new())..)
                    .take_while(|(k, _)| k == key)
                    .count()
            }
            // Filtered: its marks as a set of ids, one hash per row, nothing allocated per row.
            ListKind::Grants { key_id } => {
                let key = key_id_of(key_id);
                let marked: std::collections::HashSet<&str> = self
                    .writes
                    .marks
                    .range((key.to_owned(), String::new())..)
                    .take_while(|(k, _)| k == key)
                    .map(|(_, g)| g.as_str())
                    .collect();
                if marked.is_empty() {
                    0
                } else {
                    list.rows
                        .iter()
                        .filter_map(|&i| list::grant_at(&self.data, &list.kind, i))
                        .filter(|g| marked.contains(&*g.grant_id))
                        .count()
                }
            }
            _ => list
                .rows
                .iter()
                .filter_map(|&i| list::grant_at(&self.data, &list.kind, i))
                .filter(|g| self.writes.marks.contains(&g.id_pair()))
                .count(),
        };
        self.screen.marks_shown.set(Some((versions, shown)));
        shown
    }

    /// `s`: sorts by the next column, ascending.
    pub(in crate::app) fn cycle_sort(&mut self) -> Vec<Command> {
        self.edit_list(|list| {
            list.sort_column = (list.sort_column + 1) % list.kind.columns().len();
            list.sort_reverse = false;
        });
        Vec::new()
    }

    /// `S`: reverses the sort.
    pub(in crate::app) fn reverse_sort(&mut self) -> Vec<Command> {
        self.edit_list(|list| list.sort_reverse = !list.sort_reverse);
        Vec::new()
    }

    /// `f`: shows only the grants with the next finding (then all again).
    pub(in crate::app) fn cycle_finding(&mut self) -> Vec<Command> {
        self.edit_list(|list| {
            if list.kind.holds_grants() {
                list.finding = match list.finding {
                    None => FindingKind::ALL.first().copied(),
                    Some(kind) => kind.next(),
                };
            }
        });
        Vec::new()
    }

    /// `a`: marks every grant the current list shows.
    pub(in crate::app) fn mark_all_shown(&mut self) -> Vec<Command> {
        if let Some(list) = self.current_list()
            && list.kind.holds_grants()
        {
            let ids: Vec<(String, String)> = list
                .rows
                .iter()
                .filter_map(|&i| list::grant_at(&self.data, &list.kind, i))
                .map(|g| g.id_pair())
                .collect();
            let added = ids.len();
            self.writes.marks.extend(ids);
            self.say(
                Level::Info,
                format!(
                    "marked the {added} grants shown ({} marked in all)",
                    self.writes.marks.len()
                ),
            );
        }
        Vec::new()
    }

    /// `A`: clears every mark.
    pub(in crate::app) fn clear_marks(&mut self) -> Vec<Command> {
        let cleared = self.writes.marks.len();
        self.writes.marks.clear();
        self.say(Level::Info, format!("cleared {cleared} marks"));
        Vec::new()
    }
}
