//! The event loop: owns the terminal, turns terminal events and task results into actions, and
//! runs the app's commands as tasks with bounded concurrency.
//!
//! This is the only place that awaits. Key handling never waits for IO: each load or write is a
//! task whose result comes back through a channel as an action.

use crate::app::switch::SwitchedTo;
use crate::app::{Action, App, Command, GrantTarget};
use crate::audit::{self, AuditError, AuditLog, AuditRecord, Phase};
use crate::connect::{Connected, Connector};
use crate::domain::Grant;
use crate::domain::Timestamp;
use crate::source::KmsSource;
use crate::source::{SourceError, SourceKind, WriteKind, WriteOutcome};
use crate::ui::{self, theme::Theme};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::{FutureExt, StreamExt};
use ratatui::DefaultTerminal;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// Restores the terminal when dropped, so an early return or `?` leaves it usable, and gives
/// back the window title the session replaced.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        give_terminal_back();
    }
}

/// Whether the terminal was given back already (by the panic hook, before the guard).
static GIVEN_BACK: AtomicBool = AtomicBool::new(false);

/// Leaves the alternate screen and raw mode, shows the cursor and restores the title: once,
/// whichever of the guard and the panic hook comes first.
fn give_terminal_back() {
    if !GIVEN_BACK.swap(true, Ordering::SeqCst) {
        ratatui::restore();
        write_raw(TITLE_POP);
    }
}

/// xterm's title stack: save the terminal's title on entry and put it back on exit.
const TITLE_PUSH: &str = "\x1b[22;0t";
const TITLE_POP: &str = "\x1b[23;0t";

/// Writes a control sequence to the terminal; a failure only means it is not applied.
fn write_raw(sequence: &str) {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = out
        .write_all(sequence.as_bytes())
        .and_then(|()| out.flush());
}

/// The window title: where the session points and who is calling, with nothing from AWS able
/// to end the title sequence early (every control character is replaced).
pub fn title(app: &App) -> String {
    let mut title = format!("kms-grants · {}", app.where_now());
    if let Some(caller) = &app.caller {
        title.push_str(" · ");
        title.push_str(&crate::app::list::short_principal(
            &caller.arn,
            Some(&caller.account),
        ));
    }
    if app.read_only {
        title.push_str(" · READ-ONLY");
    }
    ui::text::clean(&title).into_owned()
}

/// Takes over the terminal, runs the app until it quits, and gives the terminal back. `log`
/// is where a crash report goes.
pub async fn run(
    app: App,
    executor: Arc<Executor>,
    connector: Arc<Connector>,
    theme: Theme,
    concurrency: usize,
    log: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    const SCRIPTS: &str =
        "run it in a terminal, or use `kms-grants check` or `kms-grants record` in scripts";
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the app needs a terminal (stdout is not a tty): {SCRIPTS}");
    }
    // Without a tty on stdin, keys are read from /dev/tty, which a process without a
    // controlling terminal cannot open ("No such device or address").
    let mut terminal = ratatui::try_init().map_err(|err| {
        if std::io::stdin().is_terminal() {
            anyhow::anyhow!("cannot set up the terminal: {}", crate::fixture::io_reason(&err))
        } else {
            anyhow::anyhow!("the app needs a terminal (stdin is not a tty and there is no controlling terminal): {SCRIPTS}")
        }
    })?;
    // Replaces the hook `try_init` installed, which would restore the terminal on a panic in
    // any thread, a background task's included: those become an error in the app instead.
    install_panic_hook(log);
    write_raw(TITLE_PUSH);
    let _guard = TerminalGuard;
    // For the end-to-end tests of the crash paths (tests/terminal.rs); not in release builds.
    #[cfg(debug_assertions)]
    if crash_test() == Some("ui") {
        panic!("KMS_GRANTS_CRASH_TEST is set");
    }
    event_loop(&mut terminal, app, executor, connector, theme, concurrency).await
}

/// Which crash the end-to-end tests asked for: `ui` (the UI thread) or `task` (every grant
/// list's task).
#[cfg(debug_assertions)]
fn crash_test() -> Option<&'static str> {
    match std::env::var("KMS_GRANTS_CRASH_TEST").ok()?.as_str() {
        "ui" => Some("ui"),
        "task" => Some("task"),
        _ => None,
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// On a panic of the UI thread: the terminal is restored, one short message with the log's
/// path goes to stderr, the details (with a backtrace) to the log, and the process exits
/// non-zero (the panic unwinds out of `main`). A panic in a background task is only logged:
/// [`spawn`] turns it into an error the app shows.
fn install_panic_hook(log: Option<std::path::PathBuf>) {
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

/// What comes back from tasks.
enum Message {
    Action(Action),
    /// A [`Command::Switch`]'s new source (or why there is none).
    Switched {
        seq: u64,
        result: Result<Connected, String>,
    },
}

/// Carries out the app's commands: the current executor (replaced by a switch), the tasks'
/// way back, and the concurrency limits.
struct Dispatcher {
    executor: Arc<Executor>,
    /// Cleared when a switch replaces `executor`: the old source's reads still queued are then
    /// dropped instead of calling an account no longer shown (and holding up the new one's).
    current: Arc<AtomicBool>,
    connector: Arc<Connector>,
    tx: mpsc::UnboundedSender<Message>,
    limits: Limits,
}

impl Dispatcher {
    /// Starts every command; `true` when one of them quits.
    fn dispatch(&self, commands: Vec<Command>) -> bool {
        for command in commands {
            match command {
                Command::Quit => return true,
                Command::Copy { text } => copy_to_clipboard(&text),
                Command::Switch { seq, target } => {
                    let connector = Arc::clone(&self.connector);
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        // A panic is answered too: an unanswered switch would hold every write.
                        let result = AssertUnwindSafe(connector.connect(&target))
                            .catch_unwind()
                            .await
                            .unwrap_or_else(|payload| {
                                Err(format!(
                                    "an internal error stopped the switch ({}); the log has the details",
                                    panic_text(payload.as_ref())
                                ))
                            });
                        let _ = tx.send(Message::Switched { seq, result });
                    });
                }
                command => spawn(
                    command,
                    &self.executor,
                    &self.current,
                    &self.tx,
                    &self.limits,
                ),
            }
        }
        false
    }

    /// Turns a task's message into the app's action. A switch's new source replaces the
    /// executor here, right before the app hears of it. Every command is dispatched as soon as
    /// the action that produced it is applied, so each command the app issued before goes to
    /// the old source, every one after to the new.
    fn receive(&mut self, message: Message, app: &App) -> Action {
        match message {
            Message::Action(action) => action,
            Message::Switched { seq, result } => {
                let (action, source) = switch_answer(seq, result, app);
                if let Some(source) = source {
                    self.current.store(false, Ordering::Relaxed);
                    self.current = Arc::new(AtomicBool::new(true));
                    self.executor = Arc::new(Executor {
                        source,
                        audit: self.executor.audit.clone(),
                    });
                }
                action
            }
        }
    }
}

/// A [`Command::Switch`]'s answer as the app's action, and the source to carry out commands
/// from now on: `None` when the switch failed or a later one replaced it.
pub fn switch_answer(
    seq: u64,
    result: Result<Connected, String>,
    app: &App,
) -> (Action, Option<Arc<dyn KmsSource>>) {
    match result {
        Err(err) => (
            Action::Switched {
                seq,
                result: Err(err),
            },
            None,
        ),
        Ok(connected) => {
            let to = SwitchedTo {
                target: connected.target,
                info: connected.source.info(),
                caller: connected.caller,
                read_only: connected.read_only,
            };
            let source = app.wants_switch(seq).then_some(connected.source);
            (
                Action::Switched {
                    seq,
                    result: Ok(to),
                },
                source,
            )
        }
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    executor: Arc<Executor>,
    connector: Arc<Connector>,
    theme: Theme,
    concurrency: usize,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let mut dispatcher = Dispatcher {
        executor,
        current: Arc::new(AtomicBool::new(true)),
        connector,
        tx,
        limits: Limits {
            background: Arc::new(Semaphore::new(concurrency.max(1))),
            urgent: Arc::new(Semaphore::new(URGENT_SLOTS)),
        },
    };
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(15));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.update(Action::Resize {
        width: size.width,
        height: size.height,
    });
    if dispatcher.dispatch(app.start()) {
        return Ok(());
    }
    let mut shown_title = String::new();
    loop {
        app.pace = dispatcher.executor.source.pace();
        terminal.draw(|frame| ui::draw(frame, &app, &theme))?;
        let title = title(&app);
        if title != shown_title {
            // OSC 2; the text has no control characters left to end it early.
            write_raw(&format!("\x1b]2;{title}\x07"));
            shown_title = title;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Action::Key(key),
                Some(Ok(Event::Resize(width, height))) => Action::Resize { width, height },
                // Resizes and other events only need a redraw.
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(anyhow::anyhow!("cannot read from the terminal: {err}")),
                None => return Ok(()),
            },
            Some(message) = rx.recv() => dispatcher.receive(message, &app),
            _ = ticker.tick() => Action::Tick(Timestamp::now()),
        };
        if dispatcher.dispatch(app.apply(action)) {
            return Ok(());
        }
        // Apply every result already waiting before drawing again: a burst of loads costs one
        // recompute of the rows and one frame, not one each.
        while let Ok(message) = rx.try_recv() {
            let action = dispatcher.receive(message, &app);
            if dispatcher.dispatch(app.apply(action)) {
                return Ok(());
            }
        }
        app.settle();
    }
}

/// A source whose grant lists panic: `KMS_GRANTS_CRASH_TEST=task` in debug builds.
#[cfg(debug_assertions)]
#[derive(Debug)]
struct PanicsListingGrants(Arc<dyn KmsSource>);

#[cfg(debug_assertions)]
#[async_trait::async_trait]
impl KmsSource for PanicsListingGrants {
    fn info(&self) -> crate::source::SourceInfo {
        self.0.info()
    }
    fn is_read_only(&self) -> bool {
        self.0.is_read_only()
    }
    async fn caller(&self) -> Result<Option<crate::source::CallerIdentity>, SourceError> {
        self.0.caller().await
    }
    async fn list_keys(&self) -> Result<Vec<crate::domain::Key>, SourceError> {
        self.0.list_keys().await
    }
    async fn describe_key(&self, key_id: &str) -> Result<crate::domain::KeyMetadata, SourceError> {
        self.0.describe_key(key_id).await
    }
    async fn list_grants(&self, _: &str) -> Result<Vec<Grant>, SourceError> {
        panic!("KMS_GRANTS_CRASH_TEST=task")
    }
    async fn known_retiring_principals(&self) -> Result<Vec<String>, SourceError> {
        self.0.known_retiring_principals().await
    }
    async fn list_retirable_grants(&self, principal: &str) -> Result<Vec<Grant>, SourceError> {
        self.0.list_retirable_grants(principal).await
    }
    async fn delete_grant(
        &self,
        kind: WriteKind,
        key_id: &str,
        grant_id: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        self.0.delete_grant(kind, key_id, grant_id, dry_run).await
    }
    async fn create_grant(&self, grant: &Grant) -> Result<String, SourceError> {
        self.0.create_grant(grant).await
    }
    async fn retire_with_token(
        &self,
        token: &str,
        dry_run: bool,
    ) -> Result<WriteOutcome, SourceError> {
        self.0.retire_with_token(token, dry_run).await
    }
}

/// Writes a failed request to the log (the error's sentence; no payload).
fn log_outcome(command: &str, action: &Action) {
    let error = match action {
        Action::CallerLoaded { result: Err(e), .. }
        | Action::KeysLoaded { result: Err(e), .. }
        | Action::KeyDescribed { result: Err(e), .. }
        | Action::GrantsLoaded { result: Err(e), .. }
        | Action::PrincipalsLoaded { result: Err(e), .. }
        | Action::RetirableLoaded { result: Err(e), .. }
        | Action::GrantDeleted { result: Err(e), .. }
        | Action::TokenRetired { result: Err(e) }
        | Action::GrantRestored { result: Err(e), .. } => e.to_string(),
        Action::Exported { result: Err(e), .. } | Action::AuditFailed(e) => e.clone(),
        _ => {
            tracing::debug!(command, "done");
            return;
        }
    };
    tracing::warn!(command, "{error}");
}

/// Requests the operator waits for (opening a key, a reload, a write) do not queue behind the
/// background loads: they have slots of their own.
const URGENT_SLOTS: usize = 4;

/// The two concurrency limits.
struct Limits {
    background: Arc<Semaphore>,
    urgent: Arc<Semaphore>,
}

/// Asks the terminal to put `text` on the clipboard (OSC 52). Terminals that do not support it
/// ignore the sequence; the text is base64, so nothing in it can reach the terminal raw.
fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    // A failed write only means the clipboard stays as it was.
    let _ = write!(out, "\x1b]52;c;{encoded}\x07").and_then(|()| out.flush());
}

/// Runs one command as a task; its results come back on `tx`.
fn spawn(
    command: Command,
    executor: &Arc<Executor>,
    current: &Arc<AtomicBool>,
    tx: &mpsc::UnboundedSender<Message>,
    limits: &Limits,
) {
    // Reads of an account the app has switched away from are not worth sending; writes always
    // go (none is in flight at a switch, and a write confirmed is a write sent).
    let read = matches!(
        command,
        Command::LoadCaller { .. }
            | Command::LoadKeys { .. }
            | Command::DescribeKey { .. }
            | Command::LoadGrants { .. }
            | Command::LoadPrincipals { .. }
            | Command::LoadRetirable { .. }
    );
    let current = Arc::clone(current);
    let urgent = matches!(
        command,
        Command::LoadGrants { urgent: true, .. }
            | Command::DeleteGrant { .. }
            | Command::RetireToken { .. }
            | Command::RestoreGrant { .. }
            | Command::LoadRetirable { .. }
    );
    let executor = Arc::clone(executor);
    let tx = tx.clone();
    let limit = Arc::clone(if urgent {
        &limits.urgent
    } else {
        &limits.background
    });
    tokio::spawn(async move {
        // The semaphore is never closed, so acquiring only waits.
        let Ok(_permit) = limit.acquire_owned().await else {
            return;
        };
        if read && !current.load(Ordering::Relaxed) {
            return;
        }
        let name = command.name();
        tracing::debug!(command = name, "start");
        #[cfg(debug_assertions)]
        let executor = if crash_test() == Some("task") && name == "LoadGrants" {
            // The task's panic, for tests/terminal.rs.
            Arc::new(Executor {
                source: Arc::new(PanicsListingGrants(Arc::clone(&executor.source))),
                audit: executor.audit.clone(),
            })
        } else {
            executor
        };
        let actions = match AssertUnwindSafe(executor.perform(command.clone()))
            .catch_unwind()
            .await
        {
            Ok(actions) => actions,
            // A bug, not the network: the request is answered with an error all the same, so
            // the app does not wait for it forever.
            Err(payload) => {
                let text = panic_text(payload.as_ref());
                let error = if read {
                    format!("an internal error stopped {name} ({text}); the log has the details")
                } else {
                    format!(
                        "an internal error stopped {name} ({text}) after it may have been sent: its outcome is unknown, reload to see; the log has the details"
                    )
                };
                command.failed(SourceError::Internal(error))
            }
        };
        for action in actions {
            log_outcome(name, &action);
            // The receiver is gone only when the app has quit; the result no longer matters.
            let _ = tx.send(Message::Action(action));
        }
    });
}

/// Where writes are recorded: an open audit log, or why there is none (then writes are refused).
#[derive(Debug, Clone)]
pub enum Audit {
    Log(Arc<AuditLog>),
    Unavailable(AuditError),
}

/// Carries out commands: the source, and the audit log every write goes through.
#[derive(Debug)]
pub struct Executor {
    pub source: Arc<dyn KmsSource>,
    pub audit: Audit,
}

impl Executor {
    /// Carries out one command and returns its results as actions (none for commands the event
    /// loop handles itself, such as `Quit`).
    pub async fn perform(&self, command: Command) -> Vec<Action> {
        let source = self.source.as_ref();
        let action = match command {
            Command::LoadCaller { req } => Action::CallerLoaded {
                req,
                result: source.caller().await,
            },
            Command::LoadKeys { req } => Action::KeysLoaded {
                req,
                result: source.list_keys().await,
            },
            Command::DescribeKey { req, key_id } => {
                let result = source.describe_key(&key_id).await;
                Action::KeyDescribed {
                    req,
                    key_id,
                    result,
                }
            }
            Command::RetireToken { token, dry_run } => {
                return self.retire_token(&token, dry_run).await;
            }
            Command::LoadGrants { req, key_id, .. } => {
                let result = source.list_grants(&key_id).await;
                Action::GrantsLoaded {
                    req,
                    key_id,
                    result,
                }
            }
            Command::LoadPrincipals { req } => Action::PrincipalsLoaded {
                req,
                result: source.known_retiring_principals().await,
            },
            Command::LoadRetirable { req, principal } => {
                let result = source.list_retirable_grants(&principal).await;
                Action::RetirableLoaded {
                    req,
                    principal,
                    result,
                }
            }
            Command::DeleteGrant {
                kind,
                target,
                dry_run,
            } => return self.delete_grant(kind, target, dry_run).await,
            Command::RestoreGrant { entry, grant, key } => Action::GrantRestored {
                entry,
                result: self.restore(&grant, &key).await,
            },
            Command::Export {
                path,
                contents,
                rows,
                overwrite,
            } => {
                let target = std::path::Path::new(&path);
                let result = if let Err(err) = crate::atomic::check_output(target) {
                    Err(err.reason())
                } else if !overwrite && target.exists() {
                    Err(format!("it exists; :export! {path} replaces it"))
                } else {
                    crate::atomic::write(target, contents.as_bytes())
                        .map_err(|e| crate::fixture::io_reason(&e))
                };
                Action::Exported { path, rows, result }
            }
            // The event loop writes to the terminal and switches sources itself.
            Command::Copy { .. } | Command::Quit | Command::Switch { .. } => return Vec::new(),
        };
        vec![action]
    }

    /// The fields every audit record of this session shares.
    async fn record(
        &self,
        action: &str,
        key: &str,
        grant: Option<Grant>,
        dry_run: bool,
    ) -> AuditRecord {
        let info = self.source.info();
        let caller = self.source.caller().await.ok().flatten();
        let (profile, endpoint) = match &info.kind {
            SourceKind::Live { profile, endpoint } => (profile.clone(), endpoint.clone()),
            _ => (None, None),
        };
        AuditRecord {
            time: audit::now(),
            phase: Phase::Intent,
            source: match &info.kind {
                SourceKind::Live { .. } => "live".to_owned(),
                other => other.to_string(),
            },
            profile,
            endpoint,
            region: info.region,
            account: info
                .account
                .or_else(|| caller.as_ref().map(|c| c.account.clone())),
            caller: caller.map(|c| c.arn),
            action: action.to_owned(),
            dry_run,
            key: key.to_owned(),
            grant,
            outcome: None,
            error: None,
            new_grant_id: None,
        }
    }

    /// Logs the intent, sends the write only if that worked, then logs the outcome.
    async fn audited(
        &self,
        intent: AuditRecord,
        call: impl std::future::Future<Output = Result<WriteOutcome, SourceError>>,
    ) -> (Result<WriteOutcome, SourceError>, Option<String>) {
        let log = match &self.audit {
            Audit::Log(log) => log,
            Audit::Unavailable(err) => return (Err(SourceError::Audit(err.to_string())), None),
        };
        if let Err(err) = log.append(&intent) {
            return (Err(SourceError::Audit(err.to_string())), None);
        }
        let result = call.await;
        let mut outcome = intent;
        outcome.time = audit::now();
        outcome.phase = Phase::Outcome;
        match &result {
            Ok(WriteOutcome::Done) => outcome.outcome = Some("done".to_owned()),
            Ok(WriteOutcome::DryRunWouldSucceed) => {
                outcome.outcome = Some("dry-run-would-succeed".to_owned())
            }
            Ok(WriteOutcome::DoneDespiteDryRun) => {
                outcome.outcome = Some("done-despite-dry-run".to_owned())
            }
            Err(err) => {
                outcome.outcome = Some("error".to_owned());
                outcome.error = Some(err.to_string());
            }
        }
        let not_logged = log
            .append(&outcome)
            .err()
            .map(|err| format!("the outcome was not recorded: {err}"));
        (result, not_logged)
    }

    async fn delete_grant(
        &self,
        kind: WriteKind,
        target: Box<GrantTarget>,
        dry_run: bool,
    ) -> Vec<Action> {
        let action = match kind {
            WriteKind::Retire => "RetireGrant",
            WriteKind::Revoke => "RevokeGrant",
        };
        tracing::info!(
            action,
            key = %target.key_arn,
            grant = %target.grant.grant_id,
            dry_run,
            "sending"
        );
        let intent = self
            .record(action, &target.key_arn, Some(target.grant.clone()), dry_run)
            .await;
        let call = self
            .source
            .delete_grant(kind, target.key_id(), &target.grant.grant_id, dry_run);
        let (result, not_logged) = self.audited(intent, call).await;
        let mut actions = vec![Action::GrantDeleted {
            kind,
            target,
            result,
        }];
        actions.extend(not_logged.map(Action::AuditFailed));
        actions
    }

    /// Recreates a deleted grant with CreateGrant, recorded in the audit log before and after
    /// like any other write. Returns the new grant's id.
    pub async fn restore(&self, grant: &Grant, key: &str) -> Result<String, SourceError> {
        let log = match &self.audit {
            Audit::Log(log) => log,
            Audit::Unavailable(err) => return Err(SourceError::Audit(err.to_string())),
        };
        // A grant restored once is not restored again: that would rebuild a duplicate storm.
        // An intent without an outcome (a restore cut off) counts too: the grant may exist.
        let records = audit::read(log.path()).map_err(|e| {
            SourceError::Audit(format!(
                "cannot check the audit log for an earlier restore ({e}), so nothing was created"
            ))
        })?;
        if let Some(earlier) = audit::find_restore(&records, &grant.grant_id) {
            return Err(SourceError::Invalid(
                match (&earlier.phase, &earlier.new_grant_id) {
                    (Phase::Outcome, Some(id)) => format!(
                        "grant {} was already restored as {id} at {} (audit log); nothing was created",
                        grant.grant_id, earlier.time
                    ),
                    _ => format!(
                        "a restore of grant {} was started at {} and its outcome is unknown; check the key's grants before restoring again",
                        grant.grant_id, earlier.time
                    ),
                },
            ));
        }
        let intent = self
            .record("CreateGrant", key, Some(grant.clone()), false)
            .await;
        log.append(&intent)
            .map_err(|e| SourceError::Audit(e.to_string()))?;
        let result = self.source.create_grant(grant).await;
        let mut outcome = intent;
        outcome.time = audit::now();
        outcome.phase = Phase::Outcome;
        match &result {
            Ok(id) => {
                outcome.outcome = Some("done".to_owned());
                outcome.new_grant_id = Some(id.clone());
            }
            Err(err) => {
                outcome.outcome = Some("error".to_owned());
                outcome.error = Some(err.to_string());
            }
        }
        let logged = log.append(&outcome);
        let id = result?;
        logged.map_err(|e| {
            SourceError::Audit(format!(
                "grant {id} was created, but {}",
                e.to_string().replace(", so no write is sent", "")
            ))
        })?;
        Ok(id)
    }

    async fn retire_token(&self, token: &str, dry_run: bool) -> Vec<Action> {
        // The token is a credential: the logs say a token was used, never which.
        tracing::info!(
            dry_run,
            "sending RetireGrant by grant token (the token is not logged)"
        );
        let intent = self
            .record("RetireGrant", "(by grant token)", None, dry_run)
            .await;
        let call = self.source.retire_with_token(token, dry_run);
        let (result, not_logged) = self.audited(intent, call).await;
        let mut actions = vec![Action::TokenRetired { result }];
        actions.extend(not_logged.map(Action::AuditFailed));
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::places::{Places, Target};
    use crate::source::FixtureKms;
    use std::path::Path;

    fn source(account: &str, keys: usize) -> Arc<dyn KmsSource> {
        let mut snapshot =
            fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).unwrap();
        snapshot.account = Some(account.to_owned());
        snapshot.keys.truncate(keys);
        Arc::new(FixtureKms::new(snapshot, SourceKind::Demo, false))
    }

    /// A dispatcher over `source` with `slots` background and urgent slots, and no audit log.
    fn dispatcher(
        source: Arc<dyn KmsSource>,
        tx: mpsc::UnboundedSender<Message>,
        slots: usize,
    ) -> Dispatcher {
        Dispatcher {
            executor: Arc::new(Executor {
                source,
                audit: Audit::Unavailable(AuditError {
                    path: "(none)".to_owned(),
                    reason: "test".to_owned(),
                }),
            }),
            current: Arc::new(AtomicBool::new(true)),
            connector: Arc::new(Connector::Fixed),
            tx,
            limits: Limits {
                background: Arc::new(Semaphore::new(slots)),
                urgent: Arc::new(Semaphore::new(slots)),
            },
        }
    }

    #[cfg(debug_assertions)]
    #[tokio::test]
    async fn a_panic_in_a_task_becomes_an_error_the_app_shows() {
        let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
        let source: Arc<dyn KmsSource> = Arc::new(PanicsListingGrants(source("111122223333", 3)));
        let dispatcher = dispatcher(Arc::clone(&source), tx, 2);
        let mut app = App::new(source.info(), false, false, Timestamp::now());
        // The app starts and asks for every key's grants; each of those panics.
        let mut pending = app.start();
        let mut answered = 0;
        while !pending.is_empty() {
            assert!(!dispatcher.dispatch(std::mem::take(&mut pending)));
            let Ok(Some(Message::Action(action))) =
                tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
            else {
                break;
            };
            if let Action::GrantsLoaded { result, .. } = &action {
                let err = result.as_ref().unwrap_err().to_string();
                assert_eq!(
                    err,
                    "an internal error stopped LoadGrants (KMS_GRANTS_CRASH_TEST=task); the log has the details"
                );
                answered += 1;
            }
            pending = app.update(action);
            while let Ok(Message::Action(action)) = rx.try_recv() {
                if matches!(action, Action::GrantsLoaded { .. }) {
                    answered += 1;
                }
                pending.extend(app.update(action));
            }
        }
        assert_eq!(answered, 3, "every key's grants were answered");
        // Each key's row says why instead of loading forever; the app goes on.
        assert_eq!(app.load_progress(), (3, 3, 3));
        assert!(
            app.data
                .grant_count_text(app.data.keys.loaded().unwrap()[0].id())
                .contains("error")
        );
    }

    #[tokio::test]
    async fn after_a_switch_commands_go_to_the_new_source_and_old_reads_are_dropped() {
        let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
        let mut dispatcher = dispatcher(source("111111111111", 3), tx, 1);
        let mut app = App::new(
            dispatcher.executor.source.info(),
            false,
            false,
            Timestamp::now(),
        );
        app.places =
            Places::from_profiles([("other".to_owned(), Some("us-east-1".to_owned()))], &[]);
        let commands = app.update(Action::RunCommand("profile other".into()));
        let [Command::Switch { seq, .. }] = commands.as_slice() else {
            panic!("a switch: {commands:?}");
        };
        // A read of the old account waits for the only background slot…
        let slot = Arc::clone(&dispatcher.limits.background)
            .acquire_owned()
            .await
            .unwrap();
        assert!(!dispatcher.dispatch(vec![Command::LoadKeys { req: 1 }]));
        // …while the switch lands.
        let connected = Connected {
            source: source("222222222222", 1),
            target: Target::default(),
            caller: None,
            read_only: None,
        };
        let action = dispatcher.receive(
            Message::Switched {
                seq: *seq,
                result: Ok(connected),
            },
            &app,
        );
        assert!(matches!(action, Action::Switched { result: Ok(_), .. }));
        assert!(!dispatcher.dispatch(vec![Command::LoadKeys { req: 2 }]));
        drop(slot);
        // Only the new account's answer comes back; the old read was dropped unsent.
        let Some(Message::Action(Action::KeysLoaded { req, result })) = rx.recv().await else {
            panic!("keys expected");
        };
        assert_eq!((req, result.unwrap().len()), (2, 1));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(rx.try_recv().is_err(), "the old account's read was sent");
    }
}
