//! Moving between accounts and regions: `:profile` and `:region` (with Tab completion), the
//! `P` and `R` pickers, and taking over the source the runtime switched to.
//!
//! A switch is a command like any load: the runtime builds and checks the new source and
//! answers with [`Done::Switched`](super::Done::Switched). Until then the current view stays usable; a failure leaves
//! it as it was. A success starts over on the new account, keeping each tab's filter and sort.

use super::action::SwitchedTo;
use super::list::{ListKind, ListView};
use super::modal::{PickItem, PickKind};
use super::{App, Command, Effect, Level, Modal, View};
use crate::places::Target;
use crate::region::looks_like_region;
use crate::source::SourceInfo;

impl App {
    /// `P`: the profiles of the AWS files and the config's accounts.
    pub(super) fn pick_profile(&mut self) -> Vec<Command> {
        if let Some(why) = self.cannot_switch() {
            self.say(Level::Warning, why);
            return Vec::new();
        }
        let current = self.session.target.profile.clone();
        let items: Vec<PickItem> = self
            .session
            .places
            .profiles
            .iter()
            .map(|p| {
                let mut note = Vec::new();
                if let Some(account) = p.account.as_ref().or(p.account_id.as_ref()) {
                    note.push(format!("account {account}"));
                }
                if let Some(region) = p.region.as_ref().or(p.regions.first()) {
                    note.push(region.clone());
                }
                if p.read_only {
                    note.push("read-only".to_owned());
                }
                if current.as_deref() == Some(p.name.as_str()) {
                    note.push("current".to_owned());
                }
                PickItem {
                    value: p.name.clone(),
                    note: note.join(" · "),
                }
            })
            .collect();
        if items.is_empty() {
            self.say(
                Level::Warning,
                "no profiles found: add some to ~/.aws/config (or the file AWS_CONFIG_FILE names)",
            );
            return Vec::new();
        }
        self.open_picker(PickKind::Profile, items, current);
        Vec::new()
    }

    /// `R`: the regions of the current profile's account entry and its own, then KMS's.
    pub(super) fn pick_region(&mut self) -> Vec<Command> {
        if let Some(why) = self.cannot_switch() {
            self.say(Level::Warning, why);
            return Vec::new();
        }
        let current = self.session.target.region.clone();
        let items: Vec<PickItem> = self
            .session
            .places
            .regions_for(self.session.target.profile.as_deref())
            .into_iter()
            .map(|region| PickItem {
                note: if current.as_deref() == Some(region.as_str()) {
                    "current".to_owned()
                } else {
                    String::new()
                },
                value: region,
            })
            .collect();
        self.open_picker(PickKind::Region, items, current);
        Vec::new()
    }

    /// Why no switch is possible now, if so.
    fn cannot_switch(&self) -> Option<String> {
        if let Some(why) = &self.session.places.fixed {
            return Some(why.clone());
        }
        if self.writes.in_flight > 0 {
            return Some(format!(
                "{} write(s) are still on their way; switch once they have answered",
                self.writes.in_flight
            ));
        }
        None
    }

    /// `:profile NAME`: the profile (or the config account entry) called `name`, in its own
    /// region; without one, the current region if the profile has it, else its first.
    pub(super) fn switch_profile(&mut self, name: &str) -> Vec<Command> {
        if let Some(why) = self.cannot_switch() {
            self.say(Level::Warning, why);
            return Vec::new();
        }
        let Some(profile) = self.session.places.profile(name) else {
            let known = self.session.places.names();
            let text = if known.is_empty() {
                format!("no profile called \"{name}\": the AWS config files have no profiles")
            } else {
                format!(
                    "no profile called \"{name}\" (there are {}; Tab completes)",
                    known.join(", ")
                )
            };
            self.say(Level::Error, text);
            return Vec::new();
        };
        let current = self.session.target.region.clone();
        let region = profile
            .region
            .clone()
            .or_else(|| current.clone().filter(|r| profile.regions.contains(r)))
            .or_else(|| profile.regions.first().cloned())
            .or(current);
        let target = Target {
            profile: Some(profile.name.clone()),
            region,
        };
        self.switch_to(target)
    }

    /// `:region NAME`: the current profile in another region.
    pub(super) fn switch_region(&mut self, name: &str) -> Vec<Command> {
        if !looks_like_region(name) {
            self.say(
                Level::Error,
                format!("\"{name}\" is not a region (like us-east-1; Tab completes)"),
            );
            return Vec::new();
        }
        let target = Target {
            profile: self.session.target.profile.clone(),
            region: Some(name.to_owned()),
        };
        self.switch_to(target)
    }

    fn switch_to(&mut self, target: Target) -> Vec<Command> {
        if let Some(why) = self.cannot_switch() {
            self.say(Level::Warning, why);
            return Vec::new();
        }
        if target == self.session.target && self.session.switching.is_none() {
            self.say(Level::Info, format!("already on {target}"));
            return Vec::new();
        }
        self.session.next_switch += 1;
        let seq = self.session.next_switch;
        self.session.switching = Some((seq, target.clone()));
        self.say(Level::Info, format!("switching to {target}…"));
        vec![Command::Effect(Effect::Switch { seq, target })]
    }

    /// The switch the runtime should hand over to, if `seq` is still the one wanted (a later
    /// `:profile` replaces an earlier one still on its way).
    pub fn wants_switch(&self, seq: u64) -> bool {
        self.session
            .switching
            .as_ref()
            .is_some_and(|(s, _)| *s == seq)
    }

    /// The runtime's answer to [`Effect::Switch`](super::Effect::Switch).
    pub(super) fn switched(
        &mut self,
        seq: u64,
        result: Result<SwitchedTo, String>,
    ) -> Vec<Command> {
        if !self.wants_switch(seq) {
            return Vec::new();
        }
        let Some((_, asked)) = self.session.switching.take() else {
            return Vec::new();
        };
        let to = match result {
            Ok(to) => to,
            Err(err) => {
                self.say(
                    Level::Error,
                    format!(
                        "cannot switch to {asked}: {err} (still on {})",
                        self.session.target
                    ),
                );
                return Vec::new();
            }
        };
        self.session.info = to.info;
        if self.session.info.account.is_none() {
            self.session.info.account = to
                .caller
                .as_ref()
                .filter(|c| !c.account.is_empty())
                .map(|c| c.account.clone());
        }
        self.session.caller = to.caller;
        // A caller answer still on its way is about the account left behind.
        self.session.caller_req = self.next_request();
        self.session.read_only = to.read_only.is_some();
        if let Some(reason) = to.read_only {
            self.session.read_only_reason = reason;
        }
        self.session.target = to.target;
        // Everything loaded belongs to the account left behind; each tab keeps its first list
        // with its filter and sort, and answers still on their way are dropped by request id.
        self.data = super::data::Data::default();
        self.writes.marks.clear();
        self.writes.bulk = None;
        // A confirmation names grants of the account left behind: it must not be confirmable
        // here. Lists over that account's data go too.
        let closed_confirmation = matches!(self.screen.modal, Modal::Confirm(_));
        if !matches!(
            self.screen.modal,
            Modal::None | Modal::Command(_) | Modal::Help { .. }
        ) {
            self.screen.modal = Modal::None;
        }
        for stack in &mut self.screen.stacks {
            stack.truncate(1);
            if let Some(View::List(old)) = stack.first() {
                let mut list = ListView::new(old.kind.clone());
                list.filter = old.filter.clone();
                list.sort_column = old.sort_column;
                list.sort_reverse = old.sort_reverse;
                stack[0] = View::List(list);
            }
        }
        self.refresh(None, |list| {
            matches!(list.kind, ListKind::Keys | ListKind::Principals)
        });
        let mut text = format!("now on {}", self.where_now());
        if self.session.read_only {
            text.push_str(" (read-only)");
        }
        if closed_confirmation {
            text.push_str("; the open confirmation was closed, nothing was sent");
        }
        self.say(Level::Success, text);
        self.say_writes_are_off();
        let mut commands = vec![self.load_keys(), self.load_principals()];
        if self.session.caller.is_none() {
            commands.push(self.load_caller());
        }
        commands
    }

    /// profile · account · region, as far as they are known: for messages and the title.
    pub fn where_now(&self) -> String {
        where_of(&self.session.info)
    }
}

/// profile · account · region of a source, as far as they are known.
pub(super) fn where_of(info: &SourceInfo) -> String {
    let mut parts = Vec::new();
    if let Some(profile) = &info.profile {
        parts.push(format!("profile {profile}"));
    }
    if let Some(account) = &info.account {
        parts.push(format!("account {account}"));
    }
    if let Some(region) = &info.region {
        parts.push(region.clone());
    }
    if parts.is_empty() {
        parts.push(info.kind.to_string());
    }
    parts.join(" · ")
}
