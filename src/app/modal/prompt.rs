//! Typing a `:` command: the line is edited here, Tab completes the command name and then a
//! profile, region or on/off; Enter hands the line to `App::run_command`.
//!
//! What the commands mean is [`command_line`](crate::app::command_line)'s business; nothing
//! here parses more than the command's name.

use super::Modal;
use crate::app::command_line::NAMES as COMMANDS;
use crate::app::{Action, App, Command, Intent};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    /// `:`: opens an empty command line.
    pub(in crate::app) fn start_command(&mut self) -> Vec<Command> {
        self.screen.modal = Modal::Command(String::new());
        Vec::new()
    }

    /// Keys while a command is typed.
    pub(super) fn on_prompt_key(&mut self, event: KeyEvent) -> Vec<Command> {
        self.screen.completions = None;
        let Modal::Command(line) = &mut self.screen.modal else {
            return Vec::new();
        };
        match event.code {
            KeyCode::Tab => self.complete_command(),
            KeyCode::Enter => {
                let line = std::mem::take(line);
                self.screen.modal = Modal::None;
                return self.update(Action::Intent(Intent::RunCommand(line)));
            }
            KeyCode::Esc => self.screen.modal = Modal::None,
            // Backspace on an empty line closes it, as in vim.
            KeyCode::Backspace if line.pop().is_none() => self.screen.modal = Modal::None,
            KeyCode::Char(c) if !event.modifiers.contains(KeyModifiers::CONTROL) => line.push(c),
            _ => {}
        }
        Vec::new()
    }

    /// Tab in the command line: completes the command name, then a profile or region (or
    /// on/off). Several matches complete their common start and are listed in the status line.
    fn complete_command(&mut self) {
        let Modal::Command(line) = &self.screen.modal else {
            return;
        };
        let line = line.clone();
        // A grant token is not echoed back, even as "nothing completes".
        if line.trim_start().starts_with("retire-token") && line.trim().contains(' ') {
            return;
        }
        let (head, candidates): (String, Vec<String>) = match line.split_once(' ') {
            None => (
                String::new(),
                COMMANDS.iter().map(|c| format!("{c} ")).collect(),
            ),
            Some((name, _)) => {
                let values: Vec<String> = match name {
                    "profile" => self.session.places.names(),
                    "region" => self
                        .session
                        .places
                        .regions_for(self.session.target.profile.as_deref()),
                    "dry-run" => vec!["on".to_owned(), "off".to_owned()],
                    _ => Vec::new(),
                };
                (format!("{name} "), values)
            }
        };
        let typed = &line[head.len()..];
        let mut matches: Vec<&String> =
            candidates.iter().filter(|c| c.starts_with(typed)).collect();
        matches.sort();
        matches.dedup();
        let completed = match matches.as_slice() {
            [] => {
                self.screen.completions = Some(format!("nothing completes \"{typed}\""));
                return;
            }
            [only] => (*only).clone(),
            several => {
                let first = several[0];
                let common = several.iter().fold(first.len(), |len, other| {
                    first
                        .chars()
                        .zip(other.chars())
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a.len_utf8())
                        .sum::<usize>()
                        .min(len)
                });
                let shown: Vec<&str> = several.iter().take(12).map(|s| s.trim_end()).collect();
                let more = several.len().saturating_sub(12);
                self.screen.completions = Some(format!(
                    "{}{}",
                    shown.join("  "),
                    if more > 0 {
                        format!("  (+{more} more)")
                    } else {
                        String::new()
                    }
                ));
                first[..common].to_owned()
            }
        };
        self.screen.modal = Modal::Command(format!("{head}{completed}"));
    }
}
