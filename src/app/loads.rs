//! Loading: the read commands (each with a new request id, so a superseded answer is
//! dropped), what each answer does to the data and the views, and reloading what is shown.
//!
//! Nothing here reads: the runtime carries the commands out and answers with
//! [`Loaded`](super::Loaded) actions.

use super::data::RequestId;
use super::list::{KeyColumn, ListKind};
use super::{App, Command, Level, Loaded, Read, View};
use crate::domain::{Grant, Key, key_id_of};
use crate::source::SourceError;

impl App {
    pub(in crate::app) fn load_caller(&mut self) -> Command {
        let req = self.next_request();
        self.session.caller_req = req;
        Command::Read(Read::Caller { req })
    }

    pub(in crate::app) fn load_keys(&mut self) -> Command {
        let req = self.next_request();
        self.data.keys.begin(req);
        Command::Read(Read::Keys { req })
    }

    pub(in crate::app) fn load_grants(&mut self, key_id: &str) -> Command {
        self.load_grants_now(key_id, false)
    }

    pub(in crate::app) fn load_grants_now(&mut self, key_id: &str, urgent: bool) -> Command {
        let req = self.next_request();
        self.data
            .grants
            .entry(key_id.to_owned())
            .or_default()
            .begin(req);
        Command::Read(Read::Grants {
            req,
            key_id: key_id.to_owned(),
            urgent,
        })
    }

    pub(in crate::app) fn load_principals(&mut self) -> Command {
        let req = self.next_request();
        self.data.principals.begin(req);
        Command::Read(Read::Principals { req })
    }

    pub(in crate::app) fn load_retirable(&mut self, principal: &str) -> Command {
        let req = self.next_request();
        self.data
            .retirable
            .entry(principal.to_owned())
            .or_default()
            .begin(req);
        Command::Read(Read::Retirable {
            req,
            principal: principal.to_owned(),
        })
    }

    /// A read's answer.
    pub(in crate::app) fn on_loaded(&mut self, loaded: Loaded) -> Vec<Command> {
        match loaded {
            Loaded::Caller { req, result } => {
                if req != self.session.caller_req {
                    return Vec::new();
                }
                match result {
                    Ok(caller) => {
                        if let Some(caller) = &caller
                            && self.session.info.account.is_none()
                            && !caller.account.is_empty()
                        {
                            self.session.info.account = Some(caller.account.clone());
                        }
                        self.session.caller = caller;
                    }
                    Err(err) => self.say(Level::Error, format!("cannot tell who you are: {err}")),
                }
                Vec::new()
            }
            Loaded::Keys { req, result } => self.keys_loaded(req, result),
            Loaded::Described {
                req,
                key_id,
                result,
            } => {
                if req == self.data.keys_req {
                    match result {
                        Ok(metadata) => {
                            self.data.set_metadata(&key_id, metadata);
                            // The key's state feeds the unusable-key finding.
                            self.data.compute_findings(
                                &key_id,
                                self.now,
                                self.session.stale_after_days,
                            );
                        }
                        Err(err) => {
                            self.data
                                .describe_errors
                                .insert(key_id.clone(), err.to_string());
                        }
                    }
                    // Only lists filtered or sorted by described columns change order; the key's
                    // grants change findings.
                    self.refresh(Some(&key_id), |list| match &list.kind {
                        ListKind::Keys => {
                            !list.filter.is_empty()
                                || list
                                    .key_sort()
                                    .is_some_and(KeyColumn::changes_with_description)
                        }
                        ListKind::Grants { key_id: k } => key_id_of(k) == key_id_of(&key_id),
                        _ => false,
                    });
                }
                Vec::new()
            }
            Loaded::Grants {
                req,
                key_id,
                result,
            } => self.grants_loaded(req, &key_id, result),
            Loaded::Principals { req, result } => {
                if self.data.principals.awaits(req) {
                    let mut commands = Vec::new();
                    if let Ok(principals) = &result {
                        // The count column fills in behind the list, as grant counts do.
                        for principal in principals {
                            commands.push(self.load_retirable(principal));
                        }
                    }
                    let text = result
                        .as_ref()
                        .err()
                        .map(|err| format!("could not list retiring principals: {err}"));
                    let kept = self
                        .data
                        .principals
                        .answer(result.map_err(|e| e.to_string()));
                    if let Some(text) = text {
                        self.say_failure(text, kept);
                    }
                    self.refresh(None, |list| list.kind == ListKind::Principals);
                    return commands;
                }
                Vec::new()
            }
            Loaded::Retirable {
                req,
                principal,
                result,
            } => {
                let awaited = self
                    .data
                    .retirable
                    .get(&principal)
                    .is_some_and(|load| load.awaits(req));
                if awaited {
                    if let Ok(grants) = &result {
                        // Grants confirmed gone leave their key's list: its findings change.
                        for key in self.data.settle_pending_retirable(&principal, grants) {
                            self.data.compute_findings(
                                &key,
                                self.now,
                                self.session.stale_after_days,
                            );
                        }
                    }
                    let text = result.as_ref().err().map(|err| {
                        format!("could not list the grants {principal} may retire: {err}")
                    });
                    let kept = self
                        .data
                        .retirable
                        .entry(principal.clone())
                        .or_default()
                        .answer(result.map_err(|e| e.to_string()));
                    if let Some(text) = text {
                        self.say_failure(text, kept);
                    }
                    // Settled pending deletes may have left key grant lists too.
                    self.refresh(None, |list| list.kind != ListKind::Keys);
                }
                Vec::new()
            }
        }
    }

    pub(in crate::app) fn keys_loaded(
        &mut self,
        req: RequestId,
        result: Result<Vec<Key>, SourceError>,
    ) -> Vec<Command> {
        if !self.data.keys.awaits(req) {
            return Vec::new();
        }
        let mut commands = Vec::new();
        match result {
            Ok(keys) => {
                let ids: Vec<String> = keys.iter().map(|k| k.id().to_owned()).collect();
                if self.screen.status.is_none() {
                    let text = format!(
                        "{} keys · Enter opens a key's grants · Tab shows retirable grants · ? help",
                        keys.len()
                    );
                    self.say(Level::Info, text);
                }
                let undescribed: Vec<String> = keys
                    .iter()
                    .filter(|k| !k.described)
                    .map(|k| k.id().to_owned())
                    .collect();
                self.data.keys.answer(Ok(keys));
                self.data.index_keys();
                self.data.keys_req = req;
                self.data.describe_errors.clear();
                // Metadata and grant counts fill in behind the list; the runtime bounds the
                // concurrency. Opening a key puts its grants first (see `open`).
                for key_id in undescribed {
                    commands.push(Command::Read(Read::Describe { req, key_id }));
                }
                for id in ids {
                    commands.push(self.load_grants(&id));
                }
            }
            Err(err) => {
                let text = format!("could not list keys: {err}");
                let kept = self.data.keys.answer(Err(text.clone()));
                self.data.index_keys();
                self.say_failure(text, kept);
            }
        }
        self.refresh(None, |_| true);
        commands
    }

    pub(in crate::app) fn grants_loaded(
        &mut self,
        req: RequestId,
        key_id: &str,
        result: Result<Vec<Grant>, SourceError>,
    ) -> Vec<Command> {
        let awaited = self
            .data
            .grants
            .get(key_id)
            .is_some_and(|load| load.awaits(req));
        if !awaited {
            return Vec::new();
        }
        let loaded = result.is_ok();
        if let Ok(grants) = &result {
            self.data.settle_pending(key_id, grants, self.now);
            // A mark on a grant this key no longer lists would only come back as "already gone".
            let key = crate::domain::key_id_of(key_id);
            if self
                .writes
                .marks
                .range((key.to_owned(), String::new())..)
                .next()
                .is_some_and(|(k, _)| k == key)
            {
                let listed: std::collections::HashSet<&str> =
                    grants.iter().map(|g| &*g.grant_id).collect();
                self.writes
                    .marks
                    .retain(|(k, g)| k != key || listed.contains(g.as_str()));
            }
        }
        // The sentence itself: the key's row and its grants view say whose grants they are.
        let text = result.as_ref().err().map(ToString::to_string);
        let kept = self
            .data
            .grants
            .entry(key_id.to_owned())
            .or_default()
            .answer(result.map_err(|e| e.to_string()));
        if loaded {
            self.data
                .compute_findings(key_id, self.now, self.session.stale_after_days);
        }
        // Say so when the operator is looking at this key, or when a reload failed.
        let watching = matches!(self.current_view(), View::List(list)
            if list.kind == (ListKind::Grants { key_id: key_id.to_owned() }));
        if let Some(text) = text
            && (watching || kept)
        {
            self.say_failure(
                format!("could not list the grants of key {key_id}: {text}"),
                kept,
            );
        }
        self.refresh(Some(key_id), |list| match &list.kind {
            ListKind::Grants { key_id: k } => k == key_id,
            // The keys list only changes order or membership if it sorts or filters by counts.
            ListKind::Keys => {
                !list.filter.is_empty()
                    || list.key_sort().is_some_and(KeyColumn::changes_with_grants)
            }
            // A deleted grant this list confirms gone leaves the retirable lists too.
            ListKind::Retirable { .. } | ListKind::Principals => true,
        });
        Vec::new()
    }

    pub(in crate::app) fn reload(&mut self) -> Vec<Command> {
        let kind = match self.current_view() {
            View::List(list) => list.kind.clone(),
            View::Detail(detail) => ListKind::Grants {
                key_id: key_id_of(detail.target.key_id()).to_owned(),
            },
        };
        let command = match &kind {
            ListKind::Keys => self.load_keys(),
            ListKind::Grants { key_id } => self.load_grants_now(key_id, true),
            ListKind::Principals => self.load_principals(),
            ListKind::Retirable { principal } => self.load_retirable(principal),
        };
        self.refresh(None, |list| list.kind == kind);
        // The list stays on screen and its frame says "reloading…" until the answer comes.
        self.clear_info();
        vec![command]
    }
}
