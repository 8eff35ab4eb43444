//! The event loop: owns the terminal, turns terminal events and task results into actions, and
//! runs the app's commands as tasks with bounded concurrency.
//!
//! This is the only place that awaits. Key handling never waits for IO: each load or write is a
//! task whose result comes back through a channel as an action.

use crate::app::switch::SwitchedTo;
use crate::app::{
    Action, App, Command, Done, Effect, GrantTarget, Input, Loaded, Read, Write, Wrote,
};
use crate::audit::{self, AuditError, AuditLog, AuditRecord, Outcome, Phase};
use crate::connect::{Connected, Connector};
use crate::domain::Grant;
use crate::domain::Timestamp;
use crate::source::KmsSource;
use crate::source::{
    LostWrite, Restored, Settlement, SourceError, SourceKind, WriteKind, WriteOutcome,
};
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
    if let Some(caller) = &app.session.caller {
        title.push_str(" · ");
        title.push_str(&crate::app::list::short_principal(
            &caller.arn,
            Some(&caller.account),
        ));
    }
    if app.session.read_only {
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
    write_raw(PASTE_ON);
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

/// Set once a signal asks the app to stop: writes not yet sent are then not sent at all.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// How long the event loop applies waiting answers before it draws and reads keys again.
const BURST_TIME: Duration = Duration::from_millis(30);

/// How long the writes in flight may take to answer once a signal asks the app to stop.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The signals that end the app: each gives the terminal back first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Term,
    Int,
    Hup,
}

impl StopSignal {
    pub fn name(self) -> &'static str {
        match self {
            Self::Term => "SIGTERM",
            Self::Int => "SIGINT",
            Self::Hup => "SIGHUP",
        }
    }

    /// The exit code a shell expects of a process ended by this signal (128 + its number).
    pub fn exit_code(self) -> u8 {
        128 + match self {
            Self::Hup => 1,
            Self::Int => 2,
            Self::Term => 15,
        }
    }
}

/// The app ended on a signal, or was quit while writes were in flight and some never
/// answered: the terminal was given back, writes in flight were given `STOP_GRACE` (5 s) to
/// answer, and `interrupted` of them did not (recorded so in the audit log).
#[derive(Debug, thiserror::Error)]
#[error("{}; {}", match signal { Some(s) => format!("stopped by {}", s.name()), None => "quit with writes in flight".to_owned() }, stopped_detail(*interrupted))]
pub struct Stopped {
    /// `None` when the operator quit.
    pub signal: Option<StopSignal>,
    pub interrupted: usize,
}

impl Stopped {
    /// 128 + the signal's number, or 1 after a quit that left writes unanswered.
    pub fn exit_code(&self) -> u8 {
        self.signal.map_or(1, StopSignal::exit_code)
    }
}

fn stopped_detail(interrupted: usize) -> String {
    match interrupted {
        0 => "no write was left without its outcome in the audit log".to_owned(),
        n => format!(
            "{n} write{} sent had not answered and {} recorded as interrupted in the audit log: list those keys' grants to see what happened",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        ),
    }
}

/// SIGTERM, SIGINT and SIGHUP as one stream (raw mode turns ctrl-c into a key, so SIGINT only
/// comes from outside, like the others).
struct Signals {
    #[cfg(unix)]
    streams: [(StopSignal, tokio::signal::unix::Signal); 3],
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                streams: [
                    (StopSignal::Term, signal(SignalKind::terminate())?),
                    (StopSignal::Int, signal(SignalKind::interrupt())?),
                    (StopSignal::Hup, signal(SignalKind::hangup())?),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The next signal.
    async fn next(&mut self) -> StopSignal {
        #[cfg(unix)]
        {
            let [(a, sa), (b, sb), (c, sc)] = &mut self.streams;
            tokio::select! {
                _ = sa.recv() => *a,
                _ = sb.recv() => *b,
                _ = sc.recv() => *c,
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// Stops on `signal` (or a quit, `None`): nothing new is sent, the writes in flight get
/// [`STOP_GRACE`] to answer (their outcomes are written to the audit log by their own tasks
/// meanwhile), and those that did not are recorded as interrupted. The caller's guard then
/// gives the terminal back.
async fn stop(
    signal: Option<StopSignal>,
    app: &mut App,
    dispatcher: &mut Dispatcher,
    rx: &mut mpsc::UnboundedReceiver<Message>,
    terminal: &mut DefaultTerminal,
    theme: &Theme,
) -> Stopped {
    STOPPING.store(true, Ordering::SeqCst);
    let why = signal.map_or("quitting", StopSignal::name);
    tracing::warn!(why, writes = app.writes.in_flight, "stopping");
    let deadline = tokio::time::Instant::now() + STOP_GRACE;
    let mut drawn: Option<tokio::time::Instant> = None;
    while app.writes.in_flight > 0 {
        app.screen.status = Some(crate::app::Status {
            level: crate::app::Level::Warning,
            text: format!(
                "stopping ({why}): waiting up to {} s for {} write(s) in flight to answer",
                STOP_GRACE.as_secs(),
                app.writes.in_flight
            ),
        });
        // A frame at most every 100 ms: a bulk run's queued writes all answer at once here.
        if drawn.is_none_or(|at| at.elapsed() >= Duration::from_millis(100)) {
            app.settle();
            // After a hangup there may be no terminal left to draw on.
            let _ = terminal.draw(|frame| ui::draw(frame, app, theme));
            drawn = Some(tokio::time::Instant::now());
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(message)) => {
                let action = dispatcher.receive(message, app);
                // Answers only count down now: nothing they would start is sent.
                let _ = app.apply(action);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let interrupted = unanswered::record_interrupted(signal);
    Stopped {
        signal,
        interrupted,
    }
}

/// The writes whose intent is in the audit log and whose outcome is not yet, so a stop can
/// record those still unanswered as interrupted instead of leaving intent lines alone.
mod unanswered {
    use super::{AuditLog, AuditRecord, Phase, StopSignal};
    use crate::audit::Outcome;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::{Arc, Mutex, PoisonError};

    static NEXT: AtomicU64 = AtomicU64::new(0);
    /// Each write's log and intent, by an id of its own.
    type Writes = HashMap<u64, (Arc<AuditLog>, AuditRecord)>;
    static WRITES: Mutex<Option<Writes>> = Mutex::new(None);

    /// A write whose intent was just logged is about to be sent; the id goes to [`answered`].
    /// `None` once [`record_interrupted`] has run: the write must not be sent, and its intent
    /// gets the `interrupted` outcome here.
    pub fn sent(log: &Arc<AuditLog>, intent: &AuditRecord) -> Option<u64> {
        let mut writes = WRITES.lock().unwrap_or_else(PoisonError::into_inner);
        if CLOSED.load(Ordering::SeqCst) {
            drop(writes);
            write_outcome(
                log,
                intent,
                Outcome::Error,
                "not sent: kms-grants was stopping".to_owned(),
            );
            return None;
        }
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        writes
            .get_or_insert_with(HashMap::new)
            .insert(id, (Arc::clone(log), intent.clone()));
        Some(id)
    }

    /// Set by [`record_interrupted`], under the lock: no write is registered (or sent) after.
    static CLOSED: AtomicBool = AtomicBool::new(false);

    fn write_outcome(log: &AuditLog, intent: &AuditRecord, value: Outcome, error: String) {
        let mut outcome = intent.clone();
        outcome.time = crate::audit::now();
        outcome.phase = Phase::Outcome;
        outcome.outcome = Some(value);
        outcome.error = Some(error);
        if let Err(err) = log.append(&outcome) {
            tracing::error!("{err}");
        }
    }

    /// The write's outcome was logged (or the attempt to).
    pub fn answered(id: u64) {
        if let Some(writes) = WRITES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            writes.remove(&id);
        }
    }

    /// Writes an `interrupted` outcome for every write still unanswered; returns how many.
    pub fn record_interrupted(signal: Option<StopSignal>) -> usize {
        let why = match signal {
            Some(signal) => format!("kms-grants was stopped by {}", signal.name()),
            None => "kms-grants was quit".to_owned(),
        };
        let writes = {
            let mut writes = WRITES.lock().unwrap_or_else(PoisonError::into_inner);
            CLOSED.store(true, Ordering::SeqCst);
            writes.take().unwrap_or_default()
        };
        for (log, intent) in writes.values() {
            write_outcome(
                log,
                intent,
                Outcome::Interrupted,
                format!("{why} before the answer came; the write may or may not have been made"),
            );
        }
        writes.len()
    }
}

/// What comes back from tasks.
enum Message {
    Action(Action),
    /// A [`Effect::Switch`]'s new source (or why there is none).
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
                Command::Effect(Effect::Quit) => return true,
                Command::Effect(Effect::Copy { text }) => copy_to_clipboard(&text),
                Command::Effect(Effect::Switch { seq, target }) => {
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

/// A [`Effect::Switch`]'s answer as the app's action, and the source to carry out commands
/// from now on: `None` when the switch failed or a later one replaced it.
pub fn switch_answer(
    seq: u64,
    result: Result<Connected, String>,
    app: &App,
) -> (Action, Option<Arc<dyn KmsSource>>) {
    match result {
        Err(err) => (
            Action::Done(Done::Switched {
                seq,
                result: Err(err),
            }),
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
                Action::Done(Done::Switched {
                    seq,
                    result: Ok(to),
                }),
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
    let mut signals = Signals::new()?;
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(15));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.update(Action::Input(Input::Resize {
        width: size.width,
        height: size.height,
    }));
    if dispatcher.dispatch(app.start()) {
        return Ok(());
    }
    let mut shown_title = String::new();
    loop {
        app.screen.pace = dispatcher.executor.source.pace();
        terminal.draw(|frame| ui::draw(frame, &app, &theme))?;
        // A confirmation's quiet time runs from when it was first on screen, not from when
        // the key that opened it was read: keys buffered meanwhile are read after this.
        app.screen.confirm_guard.drawn(std::time::Instant::now());
        let title = title(&app);
        if title != shown_title {
            // OSC 2; the text has no control characters left to end it early.
            write_raw(&format!("\x1b]2;{title}\x07"));
            shown_title = title;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Action::Input(Input::KeyAt {
                    key,
                    at: std::time::Instant::now(),
                }),
                Some(Ok(Event::Paste(text))) => Action::Input(Input::Paste {
                    text,
                    at: std::time::Instant::now(),
                }),
                Some(Ok(Event::Resize(width, height))) => Action::Input(Input::Resize { width, height }),
                // Resizes and other events only need a redraw.
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(anyhow::anyhow!("cannot read from the terminal: {err}")),
                None => return Ok(()),
            },
            Some(message) = rx.recv() => dispatcher.receive(message, &app),
            _ = ticker.tick() => Action::Input(Input::Tick(Timestamp::now())),
            signal = signals.next() => {
                return Err(stop(Some(signal), &mut app, &mut dispatcher, &mut rx, terminal, &theme).await.into());
            }
        };
        let mut quit = dispatcher.dispatch(app.apply(action));
        // Apply the results already waiting before drawing again: a burst of loads costs one
        // recompute of the rows and one frame, not one each. Bounded, so answers that keep
        // streaming in (a bulk run over a fixture) never keep the keys waiting: the next
        // select takes a key press as readily as an answer.
        let burst = std::time::Instant::now();
        while !quit
            && burst.elapsed() < BURST_TIME
            && let Ok(message) = rx.try_recv()
        {
            let action = dispatcher.receive(message, &app);
            quit = dispatcher.dispatch(app.apply(action));
        }
        if quit {
            // Quit anyway while writes are in flight: they still get their grace.
            if app.writes.in_flight == 0 {
                return Ok(());
            }
            let stopped = stop(None, &mut app, &mut dispatcher, &mut rx, terminal, &theme).await;
            return if stopped.interrupted == 0 {
                Ok(())
            } else {
                Err(stopped.into())
            };
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
    let Some(error) = action.failure() else {
        tracing::debug!(command, "done");
        return;
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
    let read = command.is_read();
    let current = Arc::clone(current);
    let urgent = command.is_urgent();
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
        // Boxed: a task still waiting for its slot (a bulk run queues thousands) holds only its
        // command, not the space of a whole call.
        let actions = match AssertUnwindSafe(Box::pin(executor.perform(command.clone())))
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

/// Whether two grants allow the same operations, in any order.
fn same_operations(a: &[crate::domain::Operation], b: &[crate::domain::Operation]) -> bool {
    let set = |ops: &[crate::domain::Operation]| -> std::collections::BTreeSet<String> {
        ops.iter().map(|op| op.as_str().to_owned()).collect()
    };
    set(a) == set(b)
}

/// The answer to a write not yet sent when a signal asked the app to stop.
fn stopping_error() -> SourceError {
    SourceError::Internal("not sent: kms-grants is stopping".to_owned())
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
            Command::Read(Read::Caller { req }) => Action::Loaded(Loaded::Caller {
                req,
                result: source.caller().await,
            }),
            Command::Read(Read::Keys { req }) => Action::Loaded(Loaded::Keys {
                req,
                result: source.list_keys().await,
            }),
            Command::Read(Read::Describe { req, key_id }) => {
                let result = source.describe_key(&key_id).await;
                Action::Loaded(Loaded::Described {
                    req,
                    key_id,
                    result,
                })
            }
            Command::Write(Write::RetireToken { token, dry_run }) => {
                return self.retire_token(&token, dry_run).await;
            }
            Command::Read(Read::Grants { req, key_id, .. }) => {
                let result = source.list_grants(&key_id).await;
                Action::Loaded(Loaded::Grants {
                    req,
                    key_id,
                    result,
                })
            }
            Command::Read(Read::Principals { req }) => Action::Loaded(Loaded::Principals {
                req,
                result: source.known_retiring_principals().await,
            }),
            Command::Read(Read::Retirable { req, principal }) => {
                let result = source.list_retirable_grants(&principal).await;
                Action::Loaded(Loaded::Retirable {
                    req,
                    principal,
                    result,
                })
            }
            Command::Write(Write::Delete {
                kind,
                target,
                dry_run,
            }) => return self.delete_grant(kind, target, dry_run).await,
            Command::Write(Write::Restore { entry, grant, key }) => {
                let (result, unrecorded) = self.restore(&grant, &key).await;
                let mut actions = Vec::new();
                if let Some(err) = unrecorded {
                    let what = format!(
                        "grant {} on key {}",
                        crate::app::list::short_id(&grant.grant_id),
                        crate::domain::key_id_of(&key)
                    );
                    let said = match &result {
                        // The intent failed: nothing was sent, and the result says so.
                        Err(SourceError::Audit(text)) => {
                            format!("{what} was not restored: {text}")
                        }
                        _ => err.not_recorded(&restore_happened(&what, &result)),
                    };
                    actions.push(audit_failed(None, said, &err));
                }
                actions.insert(0, Action::Wrote(Wrote::Restored { entry, result }));
                return actions;
            }
            Command::Effect(Effect::Export {
                path,
                contents,
                rows,
                overwrite,
            }) => {
                let target = std::path::Path::new(&path);
                let result = if let Err(err) = crate::atomic::check_output(target) {
                    Err(err.reason())
                } else if !overwrite && target.exists() {
                    Err(format!("it exists; :export! {path} replaces it"))
                } else {
                    crate::atomic::write(target, contents.as_bytes())
                        .map_err(|e| crate::fixture::io_reason(&e))
                };
                Action::Done(Done::Exported { path, rows, result })
            }
            // The event loop writes to the terminal and switches sources itself.
            Command::Effect(Effect::Copy { .. })
            | Command::Effect(Effect::Quit)
            | Command::Effect(Effect::Switch { .. }) => return Vec::new(),
        };
        vec![action]
    }

    /// The fields every audit record of this session shares, with a new operation id.
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
            op: Some(audit::new_op_id()),
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

    /// The log a write goes through, or the sentence refusing it (`call`, e.g.
    /// `kms:RevokeGrant`, is not sent): there is no log, or an append failed earlier.
    fn writable(&self, call: &str) -> Result<&Arc<AuditLog>, String> {
        match &self.audit {
            Audit::Unavailable(err) => Err(err.not_sent(call)),
            Audit::Log(log) => match log.failed() {
                Some(err) => Err(format!(
                    "writes are off for this session: {}",
                    err.not_sent(call)
                )),
                None => Ok(log),
            },
        }
    }

    /// The sentences when the intent of `call` (on `what`) could not be written: for the
    /// result (it was not sent), and for the status line.
    fn intent_failed(err: &AuditError, call: &str, what: &str, past: &str) -> (String, String) {
        let refused = err.not_sent(call);
        let said = format!("{what} was not {past}: {refused} (writes are off for this session)");
        (refused, said)
    }

    /// Writes the record after the answer (`outcome`, `error`, `new_grant_id` filled in).
    fn log_after(
        log: &AuditLog,
        intent: &AuditRecord,
        phase: Phase,
        outcome: Outcome,
        error: Option<String>,
        new_grant_id: Option<String>,
    ) -> Result<(), AuditError> {
        let mut record = intent.clone();
        record.time = audit::now();
        record.phase = phase;
        record.outcome = Some(outcome);
        record.error = error;
        record.new_grant_id = new_grant_id;
        log.append(&record)
    }

    /// The outcome record of a retire or revoke.
    fn log_delete_outcome(
        log: &AuditLog,
        intent: &AuditRecord,
        result: &Result<WriteOutcome, SourceError>,
    ) -> Result<(), AuditError> {
        let (outcome, error) = match result {
            Ok(WriteOutcome::Done | WriteOutcome::DoneAnswerLost(_)) => (Outcome::Done, None),
            Ok(WriteOutcome::DryRunWouldSucceed) => (Outcome::DryRunWouldSucceed, None),
            Ok(WriteOutcome::DoneDespiteDryRun) => (Outcome::DoneDespiteDryRun, None),
            Err(err @ SourceError::AnswerLost { .. }) => (Outcome::Unknown, Some(err.to_string())),
            Err(err) => (Outcome::Error, Some(err.to_string())),
        };
        Self::log_after(log, intent, Phase::Outcome, outcome, error, None)
    }

    /// After a retire or revoke whose answer was lost: lists the key to see whether the grant
    /// is gone, records what that showed, and gives the result it stands for.
    async fn settle_delete(
        &self,
        log: &AuditLog,
        intent: &AuditRecord,
        result: Result<WriteOutcome, SourceError>,
        logged: &mut Result<(), AuditError>,
    ) -> Result<WriteOutcome, SourceError> {
        let Err(SourceError::AnswerLost {
            write,
            lost,
            settled: Settlement::Unsettled,
        }) = result
        else {
            return result;
        };
        let listed = match &write {
            LostWrite::Delete {
                key_id, grant_id, ..
            } => Some(self.source.find_grant(key_id, grant_id).await),
            _ => None,
        };
        let (settled, record) = match listed {
            Some(Ok(None)) => (Ok(WriteOutcome::DoneAnswerLost(lost)), Outcome::Deleted),
            Some(Ok(Some(_))) => (Err(Settlement::NotDone), Outcome::NotDeleted),
            Some(Err(err)) => (
                Err(Settlement::StillUnknown(format!(
                    "listing the key failed: {err}"
                ))),
                Outcome::StillUnknown,
            ),
            None => (
                Err(Settlement::StillUnknown(
                    "a grant token does not say which key to list".to_owned(),
                )),
                Outcome::StillUnknown,
            ),
        };
        tracing::info!(%write, ?record, "settled a write whose answer was lost");
        let error = match &settled {
            Err(Settlement::StillUnknown(why)) => Some(why.clone()),
            _ => None,
        };
        if logged.is_ok() {
            *logged = Self::log_after(log, intent, Phase::Settled, record, error, None);
        }
        settled.map_err(|settled| SourceError::AnswerLost {
            write,
            lost,
            settled,
        })
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
        let refused = |text: String, target: Box<GrantTarget>| {
            Action::Wrote(Wrote::Deleted {
                kind,
                target,
                result: Err(SourceError::Audit(text)),
            })
        };
        let log = match self.writable(kind.api_action()) {
            Ok(log) => log,
            Err(text) => return vec![refused(text, target)],
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
        // Checked after `record`, which may wait for STS: a stop meanwhile sends nothing.
        if STOPPING.load(Ordering::SeqCst) {
            return vec![Action::Wrote(Wrote::Deleted {
                kind,
                target,
                result: Err(stopping_error()),
            })];
        }
        let what = crate::app::describe_grant(&target);
        if let Err(err) = log.append(&intent) {
            let (text, said) = Self::intent_failed(&err, kind.api_action(), &what, kind.past());
            let failed = audit_failed(Some(target.grant.id_pair()), said, &err);
            return vec![refused(text, target), failed];
        }
        let Some(sent) = unanswered::sent(log, &intent) else {
            return vec![Action::Wrote(Wrote::Deleted {
                kind,
                target,
                result: Err(stopping_error()),
            })];
        };
        let result = self
            .source
            .delete_grant(kind, target.key_id(), &target.grant.grant_id, dry_run)
            .await;
        let mut logged = Self::log_delete_outcome(log, &intent, &result);
        unanswered::answered(sent);
        let result = self.settle_delete(log, &intent, result, &mut logged).await;
        let mut actions = Vec::new();
        if let Err(err) = logged {
            let happened = delete_happened(kind, &what, &result);
            actions.push(audit_failed(
                Some(target.grant.id_pair()),
                err.not_recorded(&happened),
                &err,
            ));
        }
        actions.insert(
            0,
            Action::Wrote(Wrote::Deleted {
                kind,
                target,
                result,
            }),
        );
        actions
    }

    /// Recreates a deleted grant with CreateGrant, recorded in the audit log before and after
    /// like any other write, and always with a Name (the original's, or one derived from its
    /// id: see [`audit::restore_name`]), so that sending it again cannot make a second grant.
    /// An answer lost is settled by listing the key for a grant of that Name. Returns the
    /// result and, when a record could not be written, why (writes are then off).
    pub async fn restore(
        &self,
        grant: &Grant,
        key: &str,
    ) -> (Result<Restored, SourceError>, Option<AuditError>) {
        let log = match self.writable("kms:CreateGrant") {
            Ok(log) => log,
            Err(text) => return (Err(SourceError::Audit(text)), None),
        };
        // A grant restored once is not restored again: that would rebuild a duplicate storm.
        // A restore that may have created it (cut off, or its answer lost) counts too.
        let records = match audit::read(log.path()) {
            Ok(records) => records,
            Err(e) => {
                return (
                    Err(SourceError::Audit(format!(
                        "cannot check the audit log for an earlier restore ({e}), so nothing was created"
                    ))),
                    None,
                );
            }
        };
        if let Some(refusal) = audit::restore_refusal(&records, &grant.grant_id) {
            return (Err(SourceError::Invalid(refusal)), None);
        }
        let name = audit::restore_name(grant);
        let mut sent = grant.clone();
        sent.name = Some(name.as_str().into());
        let intent = self
            .record("CreateGrant", key, Some(grant.clone()), false)
            .await;
        if STOPPING.load(Ordering::SeqCst) {
            return (Err(stopping_error()), None);
        }
        if let Err(err) = log.append(&intent) {
            return (
                Err(SourceError::Audit(format!(
                    "{} (writes are off for this session)",
                    err.not_sent("kms:CreateGrant")
                ))),
                Some(err),
            );
        }
        let Some(in_flight) = unanswered::sent(log, &intent) else {
            return (Err(stopping_error()), None);
        };
        let result = self.source.create_grant(&sent).await;
        let (outcome, error, new_id) = match &result {
            Ok(id) => (Outcome::Done, None, Some(id.clone())),
            Err(err @ SourceError::AnswerLost { .. }) => {
                (Outcome::Unknown, Some(err.to_string()), None)
            }
            Err(err) => (Outcome::Error, Some(err.to_string()), None),
        };
        let mut logged = Self::log_after(log, &intent, Phase::Outcome, outcome, error, new_id);
        unanswered::answered(in_flight);
        let result = match result {
            Ok(grant_id) => Ok(Restored {
                grant_id,
                name,
                lost: None,
            }),
            Err(SourceError::AnswerLost {
                write,
                lost,
                settled: Settlement::Unsettled,
            }) => {
                // Which grant has the Name this restore sent?
                let listed = self.source.list_grants(&sent.key_id).await.map(|grants| {
                    grants.into_iter().find(|g| {
                        // The Name, and what the request asked for: another grant that
                        // happens to carry the same Name is not this restore's.
                        g.name.as_deref() == Some(name.as_str())
                            && g.grantee() == sent.grantee()
                            && g.retiring_principal == sent.retiring_principal
                            && same_operations(&g.operations, &sent.operations)
                    })
                });
                let (settled, record, error, new_id) = match listed {
                    Ok(Some(found)) => {
                        let id = found.grant_id.to_string();
                        (
                            Ok(Restored {
                                grant_id: id.clone(),
                                name,
                                lost: Some(lost),
                            }),
                            Outcome::Created,
                            None,
                            Some(id),
                        )
                    }
                    Ok(None) => (Err(Settlement::NotDone), Outcome::NotCreated, None, None),
                    Err(err) => {
                        let why = format!("listing the key failed: {err}");
                        (
                            Err(Settlement::StillUnknown(why.clone())),
                            Outcome::StillUnknown,
                            Some(why),
                            None,
                        )
                    }
                };
                tracing::info!(%write, ?record, "settled a write whose answer was lost");
                if logged.is_ok() {
                    logged = Self::log_after(log, &intent, Phase::Settled, record, error, new_id);
                }
                settled.map_err(|settled| SourceError::AnswerLost {
                    write,
                    lost,
                    settled,
                })
            }
            Err(err) => Err(err),
        };
        (result, logged.err())
    }

    async fn retire_token(&self, token: &str, dry_run: bool) -> Vec<Action> {
        let log = match self.writable("kms:RetireGrant") {
            Ok(log) => log,
            Err(text) => {
                return vec![Action::Wrote(Wrote::TokenRetired {
                    result: Err(SourceError::Audit(text)),
                })];
            }
        };
        // The token is a credential: the logs say a token was used, never which.
        tracing::info!(
            dry_run,
            "sending RetireGrant by grant token (the token is not logged)"
        );
        let intent = self
            .record("RetireGrant", "(by grant token)", None, dry_run)
            .await;
        if STOPPING.load(Ordering::SeqCst) {
            return vec![Action::Wrote(Wrote::TokenRetired {
                result: Err(stopping_error()),
            })];
        }
        let what = "the grant of that token";
        if let Err(err) = log.append(&intent) {
            let (text, said) = Self::intent_failed(&err, "kms:RetireGrant", what, "retired");
            return vec![
                Action::Wrote(Wrote::TokenRetired {
                    result: Err(SourceError::Audit(text)),
                }),
                audit_failed(None, said, &err),
            ];
        }
        let Some(sent) = unanswered::sent(log, &intent) else {
            return vec![Action::Wrote(Wrote::TokenRetired {
                result: Err(stopping_error()),
            })];
        };
        let result = self.source.retire_with_token(token, dry_run).await;
        let mut logged = Self::log_delete_outcome(log, &intent, &result);
        unanswered::answered(sent);
        let result = self.settle_delete(log, &intent, result, &mut logged).await;
        let mut actions = Vec::new();
        if let Err(err) = logged {
            let happened = delete_happened(WriteKind::Retire, what, &result);
            actions.push(audit_failed(None, err.not_recorded(&happened), &err));
        }
        actions.insert(0, Action::Wrote(Wrote::TokenRetired { result }));
        actions
    }
}

/// The app's notice that the log failed: writes are off from now on.
fn audit_failed(grant: Option<(String, String)>, said: String, err: &AuditError) -> Action {
    Action::Wrote(Wrote::AuditFailed {
        grant,
        said,
        reason: format!("{err}: writes are off for this session"),
    })
}

/// What became of a retire or revoke of `what`, for the sentence saying its record is
/// missing: `grant 1a2b… was revoked`.
fn delete_happened(
    kind: WriteKind,
    what: &str,
    result: &Result<WriteOutcome, SourceError>,
) -> String {
    let past = kind.past();
    match result {
        Ok(WriteOutcome::Done) => format!("{what} was {past}"),
        Ok(WriteOutcome::DoneDespiteDryRun) => {
            format!("{what} was really {past} (the endpoint ignored DryRun)")
        }
        Ok(WriteOutcome::DryRunWouldSucceed) => {
            format!("dry run: {} of {what} would succeed", kind.api_action())
        }
        Ok(WriteOutcome::DoneAnswerLost(lost)) => {
            format!("{what} was {past} (its answer was lost: {lost}; the listing shows it gone)")
        }
        Err(SourceError::GrantNotFound { .. }) => format!("{what} was already gone"),
        Err(SourceError::AnswerLost {
            settled: Settlement::NotDone,
            ..
        }) => format!("{what} is still listed (its answer was lost): not {past}"),
        Err(SourceError::AnswerLost { .. }) => format!("whether {what} was {past} is unknown"),
        Err(err) => format!("{what} was not {past} ({err})"),
    }
}

/// What became of a restore of `what`, for the sentence saying its record is missing.
pub fn restore_happened(what: &str, result: &Result<Restored, SourceError>) -> String {
    match result {
        Ok(restored) => format!("{what} was restored as new grant {}", restored.grant_id),
        Err(SourceError::AnswerLost {
            settled: Settlement::NotDone,
            ..
        }) => format!("{what} was not restored as far as the listing shows"),
        Err(SourceError::AnswerLost { .. }) => format!("whether {what} was restored is unknown"),
        Err(err) => format!("{what} was not restored ({err})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{AppOptions, Intent};
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
        let mut app = App::new(AppOptions::new(source.info(), Timestamp::now()));
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
            if let Action::Loaded(Loaded::Grants { result, .. }) = &action {
                let err = result.as_ref().unwrap_err().to_string();
                assert_eq!(
                    err,
                    "an internal error stopped LoadGrants (KMS_GRANTS_CRASH_TEST=task); the log has the details"
                );
                answered += 1;
            }
            pending = app.update(action);
            while let Ok(Message::Action(action)) = rx.try_recv() {
                if matches!(action, Action::Loaded(Loaded::Grants { .. })) {
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
        let mut app = App::new(AppOptions::new(
            dispatcher.executor.source.info(),
            Timestamp::now(),
        ));
        app.session.places =
            Places::from_profiles([("other".to_owned(), Some("us-east-1".to_owned()))], &[]);
        let commands = app.update(Action::Intent(Intent::RunCommand("profile other".into())));
        let [Command::Effect(Effect::Switch { seq, .. })] = commands.as_slice() else {
            panic!("a switch: {commands:?}");
        };
        // A read of the old account waits for the only background slot…
        let slot = Arc::clone(&dispatcher.limits.background)
            .acquire_owned()
            .await
            .unwrap();
        assert!(!dispatcher.dispatch(vec![Command::Read(Read::Keys { req: 1 })]));
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
        assert!(matches!(
            action,
            Action::Done(Done::Switched { result: Ok(_), .. })
        ));
        assert!(!dispatcher.dispatch(vec![Command::Read(Read::Keys { req: 2 })]));
        drop(slot);
        // Only the new account's answer comes back; the old read was dropped unsent.
        let Some(Message::Action(Action::Loaded(Loaded::Keys { req, result }))) = rx.recv().await
        else {
            panic!("keys expected");
        };
        assert_eq!((req, result.unwrap().len()), (2, 1));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(rx.try_recv().is_err(), "the old account's read was sent");
    }

    /// An executor over the demo whose audit log is `disk`.
    fn on_disk(disk: &crate::audit::testing::Disk) -> Executor {
        Executor {
            source: source("111122223333", 3),
            audit: Audit::Log(Arc::new(AuditLog::with_sink(
                Path::new("/state/audit.jsonl"),
                Box::new(disk.clone()),
            ))),
        }
    }

    /// The revoke of each of the first `n` grants of the demo's first key with that many.
    async fn revokes(executor: &Executor, n: usize) -> Vec<Command> {
        let keys = executor.source.list_keys().await.unwrap();
        for key in keys {
            let grants = executor
                .source
                .list_grants(&key.metadata.arn)
                .await
                .unwrap();
            if grants.len() >= n {
                return grants[..n]
                    .iter()
                    .map(|grant| {
                        Command::Write(Write::Delete {
                            kind: WriteKind::Revoke,
                            target: Box::new(GrantTarget {
                                grant: grant.clone(),
                                key_aliases: key
                                    .aliases
                                    .iter()
                                    .map(|a| a.alias_name.clone())
                                    .collect(),
                                key_arn: key.metadata.arn.clone(),
                                key_state: None,
                            }),
                            dry_run: false,
                        })
                    })
                    .collect();
            }
        }
        panic!("no key with {n} grants")
    }

    async fn listed(executor: &Executor, command: &Command) -> bool {
        let Command::Write(Write::Delete { target, .. }) = command else {
            panic!()
        };
        executor
            .source
            .find_grant(&target.grant.key_id, &target.grant.grant_id)
            .await
            .unwrap()
            .is_some()
    }

    #[tokio::test]
    async fn a_full_disk_after_a_revoke_says_so_and_refuses_the_writes_queued_after_it() {
        use std::sync::atomic::Ordering;
        let disk = crate::audit::testing::Disk::new(usize::MAX);
        // Room for the first intent, not for its outcome.
        disk.appends.store(1, Ordering::Relaxed);
        let executor = on_disk(&disk);
        let commands = revokes(&executor, 2).await;
        let actions = executor.perform(commands[0].clone()).await;
        let [
            Action::Wrote(Wrote::Deleted {
                target,
                result: Ok(WriteOutcome::Done),
                ..
            }),
            Action::Wrote(Wrote::AuditFailed {
                grant,
                said,
                reason,
            }),
        ] = &actions[..]
        else {
            panic!("{actions:?}")
        };
        assert!(!listed(&executor, &commands[0]).await, "it was revoked");
        assert_eq!(grant.as_ref(), Some(&target.grant.id_pair()));
        assert_eq!(
            said,
            &format!(
                "{} was revoked; its outcome could not be recorded: No space left on device in /state/audit.jsonl (writes are off for this session)",
                crate::app::describe_grant(target)
            )
        );
        assert_eq!(
            reason,
            "the audit log /state/audit.jsonl cannot be written (No space left on device): writes are off for this session"
        );
        // Only the intent is in the log: the part of the outcome that made it was cut off.
        let text = disk.text();
        assert_eq!(text.lines().count(), 1);
        assert!(text.ends_with('\n'));
        // The next write of the bulk run, already queued, is refused unsent.
        disk.appends.store(u64::MAX, Ordering::Relaxed);
        let actions = executor.perform(commands[1].clone()).await;
        let [
            Action::Wrote(Wrote::Deleted {
                result: Err(err), ..
            }),
        ] = &actions[..]
        else {
            panic!("{actions:?}")
        };
        assert_eq!(
            err.to_string(),
            "writes are off for this session: the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent"
        );
        assert!(listed(&executor, &commands[1]).await, "not sent");
        assert_eq!(disk.text(), text);
    }

    #[tokio::test]
    async fn an_intent_that_cannot_be_written_is_not_sent_and_says_so() {
        use std::sync::atomic::Ordering;
        let disk = crate::audit::testing::Disk::new(usize::MAX);
        disk.appends.store(0, Ordering::Relaxed);
        let executor = on_disk(&disk);
        let commands = revokes(&executor, 1).await;
        let actions = executor.perform(commands[0].clone()).await;
        let [
            Action::Wrote(Wrote::Deleted {
                target,
                result: Err(err),
                ..
            }),
            Action::Wrote(Wrote::AuditFailed { said, .. }),
        ] = &actions[..]
        else {
            panic!("{actions:?}")
        };
        assert_eq!(
            err.to_string(),
            "the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent"
        );
        assert_eq!(
            said,
            &format!(
                "{} was not revoked: the audit log /state/audit.jsonl cannot be written (No space left on device), so kms:RevokeGrant was not sent (writes are off for this session)",
                crate::app::describe_grant(target)
            )
        );
        assert!(listed(&executor, &commands[0]).await, "not sent");
        assert_eq!(disk.text(), "", "no torn line");
    }
}
