//! The real binary in a pseudo-terminal, read through a terminal emulator (`vt100`): what a
//! person would see, the window titles it was asked to show, and the terminal's modes after it
//! exits.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every window title the program set (OSC 0 / OSC 2), in order.
#[derive(Default)]
struct Titles(Vec<String>);

impl vt100::Callbacks for Titles {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.0.push(String::from_utf8_lossy(title).into_owned());
    }
}

pub struct Tty {
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser<Titles>>>,
    /// Everything the program wrote, raw.
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Tty {
    /// Starts kms-grants with `args` in a `cols`×`rows` terminal. The environment is cleared
    /// of AWS settings and the user's config; `env` adds to it.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_kms-grants"));
        command.args(args);
        command.env_clear();
        command.env("PATH", std::env::var("PATH").unwrap_or_default());
        command.env("TERM", "xterm-256color");
        command.env("HOME", env!("CARGO_TARGET_TMPDIR"));
        command.env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"));
        command.env("XDG_STATE_HOME", env!("CARGO_TARGET_TMPDIR"));
        command.env("AWS_CONFIG_FILE", "/nonexistent/aws-config");
        command.env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        );
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pair.slave.spawn_command(command).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            rows.try_into().unwrap(),
            cols.try_into().unwrap(),
            0,
            Titles::default(),
        )));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (into_parser, into_bytes) = (Arc::clone(&parser), Arc::clone(&bytes));
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                into_parser.lock().unwrap().process(&buffer[..n]);
                into_bytes.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Self {
            master: pair.master,
            child,
            writer,
            parser,
            bytes,
        }
    }

    /// Types `text` (escape sequences included, e.g. "\x1b" for Esc).
    pub fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Keys typed in one burst arrive as one read; a pause keeps them apart, as a person's.
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Answers a dialog as a person does: after reading it. A confirmation ignores the keys
    /// of the first moment after it opens (`confirm_delay_ms`, 300 ms by default).
    pub fn answer(&mut self, text: &str) {
        std::thread::sleep(Duration::from_millis(400));
        self.send(text);
    }

    /// Writes `text` in one write, as a terminal without bracketed paste types a paste.
    pub fn type_burst(&mut self, text: &str) {
        self.send(text);
    }

    /// Pastes `text` as a terminal with bracketed paste on does: between its start and end
    /// markers, in one write.
    pub fn paste(&mut self, text: &str) {
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Sends `signal` to the program.
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = self.child.process_id().expect("the program's pid");
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
            signal,
        )
        .unwrap();
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`; panics with the screen after `secs` seconds.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} did not appear in {secs}s; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Every window title set so far.
    pub fn titles(&self) -> Vec<String> {
        self.parser.lock().unwrap().callbacks().0.clone()
    }

    /// Everything written so far, raw.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }

    /// Whether the program is on the alternate screen, and whether the cursor is hidden.
    pub fn modes(&self) -> (bool, bool) {
        let parser = self.parser.lock().unwrap();
        (
            parser.screen().alternate_screen(),
            parser.screen().hide_cursor(),
        )
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        self.parser
            .lock()
            .unwrap()
            .set_size(rows.try_into().unwrap(), cols.try_into().unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Waits for the program to exit (at most `secs` seconds) and returns its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader take the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "the program did not exit in {secs}s; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Whether the terminal is back in cooked mode (line editing and echo on), as a shell
    /// expects it after the program exits.
    pub fn cooked(&self) -> bool {
        use nix::sys::termios::LocalFlags;
        let termios = self.master.get_termios().expect("the pty's modes");
        termios
            .local_flags
            .contains(LocalFlags::ICANON | LocalFlags::ECHO)
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The terminal after the program exited is as it was before: the shell's screen, a visible
/// cursor, cooked mode.
pub fn assert_restored(tty: &Tty) {
    let (alternate, cursor_hidden) = tty.modes();
    assert!(!alternate, "still on the alternate screen");
    assert!(!cursor_hidden, "the cursor is still hidden");
    assert!(tty.cooked(), "the terminal is still in raw mode");
}
