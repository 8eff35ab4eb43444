//! Helpers shared by the test binaries (tests/offline/, tests/live/, tests/terminal.rs,
//! tests/bulk_terminal.rs), each of which compiles this module once as `mod common`.
//!
//! Here: the test harness, the whole app over the demo snapshot, driven by actions, with
//! commands carried out synchronously against the fixture source (the same `perform` the
//! runtime uses). Beside it: `moto` (a local KMS-compatible server), `pty` (the real binary in
//! a pseudo-terminal) and `wire` (pieces of the KMS wire protocol for `wiremock`).
// Each binary uses a part of these helpers (the PTY tests have no harness, the offline tests no
// server), so what one binary leaves unused is not dead.
#![allow(dead_code)]

pub mod moto;
pub mod pty;
pub mod wire;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kms_grants::app::list::{CellContext, cell_text};
use kms_grants::app::{Action, App, AppOptions, Command, Effect, Input, Intent};
use kms_grants::audit::AuditLog;
use kms_grants::connect::Connector;
use kms_grants::domain::Timestamp;
use kms_grants::fixture::{self, Snapshot};
use kms_grants::runtime::Executor;
use kms_grants::source::{FixtureKms, KmsSource, SourceKind};
use kms_grants::ui::{self, theme::Theme};
use kms_grants::writer::Audit;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::sync::Arc;

/// One day after the demo was recorded, so ages in snapshots never change.
pub const NOW: Timestamp = Timestamp::from_secs(1_795_341_600 + 86_400);

pub fn demo_snapshot() -> Snapshot {
    fixture::parse(fixture::DEMO_JSON.as_bytes(), Path::new("demo")).expect("the demo parses")
}

pub struct Harness {
    pub app: App,
    /// The source commands run against.
    pub kms: Arc<dyn KmsSource>,
    /// Runs commands: the source and the audit log.
    pub executor: Executor,
    /// The audit log of this harness (in a temporary directory).
    pub audit_path: std::path::PathBuf,
    _audit_dir: tempfile::TempDir,
    fixture: Option<Arc<FixtureKms>>,
    pub runtime: tokio::runtime::Runtime,
    /// Every command the app asked for, in order.
    pub commands: Vec<Command>,
    /// What `:profile` and `:region` switch with (none: switching fails with a sentence).
    pub connector: Connector,
}

impl Harness {
    pub fn demo() -> Self {
        Self::with(demo_snapshot(), false, false)
    }

    pub fn with(snapshot: Snapshot, read_only: bool, dry_run: bool) -> Self {
        let source = Arc::new(FixtureKms::new(snapshot, SourceKind::Demo, read_only));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Self::start(source.clone(), Some(source), runtime, read_only, dry_run)
    }

    /// The whole app over any source (a live one against a local server, say).
    pub fn over(
        kms: Arc<dyn KmsSource>,
        runtime: tokio::runtime::Runtime,
        read_only: bool,
        dry_run: bool,
    ) -> Self {
        Self::start(kms, None, runtime, read_only, dry_run)
    }

    fn start(
        kms: Arc<dyn KmsSource>,
        fixture: Option<Arc<FixtureKms>>,
        runtime: tokio::runtime::Runtime,
        read_only: bool,
        dry_run: bool,
    ) -> Self {
        let mut app = App::new(AppOptions {
            read_only: read_only.then(|| "--read-only".to_owned()),
            dry_run,
            ..AppOptions::new(kms.info(), NOW)
        });
        // As the binary over one snapshot; tests that switch set places and a connector.
        app.session.places =
            kms_grants::places::Places::fixed("one snapshot: nothing to switch to");
        let audit_dir = tempfile::tempdir().expect("a temporary directory");
        let audit_path = audit_dir.path().join("audit.jsonl");
        let audit = Audit::Log(Arc::new(AuditLog::open(&audit_path).expect("an audit log")));
        let mut harness = Self {
            app,
            executor: Executor {
                source: kms.clone(),
                audit,
            },
            audit_path,
            _audit_dir: audit_dir,
            kms,
            fixture,
            runtime,
            commands: Vec::new(),
            connector: Connector::Fixed,
        };
        let start = harness.app.start();
        harness.run(start);
        harness
    }

    /// The audit log's records so far.
    pub fn audit(&self) -> Vec<kms_grants::audit::AuditRecord> {
        kms_grants::audit::read(&self.audit_path).expect("a readable audit log")
    }

    /// The fixture source (only for harnesses built over a snapshot).
    pub fn source(&self) -> &FixtureKms {
        self.fixture.as_deref().expect("a fixture harness")
    }

    /// Applies an action and carries out every command it leads to, until none is left.
    pub fn act(&mut self, action: Action) {
        let commands = self.app.update(action);
        self.run(commands);
    }

    fn run(&mut self, mut queue: Vec<Command>) {
        while !queue.is_empty() {
            let command = queue.remove(0);
            self.commands.push(command.clone());
            if let Command::Effect(Effect::Switch { seq, target }) = &command {
                // As the runtime does: the new source takes over before the app hears of it.
                let result = self.runtime.block_on(self.connector.connect(target));
                let (action, source) = kms_grants::runtime::switch_answer(*seq, result, &self.app);
                if let Some(source) = source {
                    self.kms = source.clone();
                    self.executor.source = source;
                }
                queue.extend(self.app.update(action));
                continue;
            }
            for result in self.runtime.block_on(self.executor.perform(command)) {
                queue.extend(self.app.update(result));
            }
        }
    }

    /// Presses a key.
    pub fn press(&mut self, code: KeyCode) {
        self.act(Action::Input(Input::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        ))));
    }

    /// Types each character of `text` as a key press.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Draws the app at `width` × `height` and returns the screen as text.
    pub fn screen(&self, width: u16, height: u16) -> String {
        let terminal = self.draw(width, height);
        buffer_text(terminal.backend())
    }

    /// Draws the app and returns the terminal, for style assertions.
    pub fn draw(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
        let theme = Theme::new(Default::default(), false);
        terminal
            .draw(|frame| ui::draw(frame, &self.app, &theme))
            .expect("drawing works");
        terminal
    }

    /// The text in the status line.
    pub fn status(&self) -> String {
        self.app
            .screen
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    /// Moves the cursor (by pressing Down) to the first row of the current list where some
    /// cell contains `text`.
    pub fn select_row_containing(&mut self, text: &str) {
        let list = self.app.current_list().expect("a list is shown");
        let ctx = CellContext {
            data: &self.app.data,
            now: self.app.now,
            stale_after_days: self.app.session.stale_after_days,
        };
        let columns = list.kind.columns().len();
        let position = list
            .rows
            .iter()
            .position(|&i| (0..columns).any(|c| cell_text(ctx, &list.kind, i, c).contains(text)))
            .unwrap_or_else(|| panic!("no row contains {text:?}"));
        self.act(Action::Intent(Intent::Top));
        for _ in 0..position {
            self.press(KeyCode::Down);
        }
    }
}

/// The buffer as lines of text (no styles).
pub fn buffer_text(backend: &TestBackend) -> String {
    let buffer = backend.buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buffer.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cell = &buffer[(x, y)];
            let symbol = cell.symbol();
            line.push_str(symbol);
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
