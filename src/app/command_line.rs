//! The `:` commands: a pure [`parse`] turns the typed line into a [`CommandLine`] (or a
//! [`ParseError`] whose sentence the status line shows), and `App::run_command` runs it.
//!
//! Typing and completing the line is the prompt dialog's business
//! ([`modal`](super::modal)); what each command does lives with its feature (switching,
//! exports, writes).

use super::{Action, App, Command, Intent, Level};

/// The command names, as typed (for Tab completion).
pub const NAMES: &[&str] = &[
    "profile",
    "region",
    "retirable",
    "export",
    "export!",
    "retire-token",
    "dry-run",
    "quit",
];

/// A `:` command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandLine {
    /// An empty line: nothing to do.
    Nothing,
    /// `:q`, `:quit`.
    Quit,
    /// `:profile NAME`.
    Profile(String),
    /// `:region NAME`.
    Region(String),
    /// `:retirable ARN`: the grants a principal may retire.
    Retirable(String),
    /// `:export FILE` (`overwrite` for `:export!`).
    Export { path: String, overwrite: bool },
    /// `:retire-token TOKEN`.
    RetireToken(String),
    /// `:dry-run on|off`.
    DryRun(bool),
}

/// Why a line is not a command; the text is the sentence the status line shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error(":{name} needs a name, e.g. :{name} {example} (Tab completes)")]
    NeedsName {
        name: &'static str,
        example: &'static str,
    },
    #[error(
        ":retirable needs a principal ARN, e.g. :retirable arn:aws:iam::111122223333:role/admin"
    )]
    NeedsPrincipal,
    #[error(
        ":retirable needs a principal ARN (arn:aws:iam::…) or a service principal (….amazonaws.com), not \"{0}\""
    )]
    NotAPrincipal(String),
    #[error(":export needs a file name ending in .csv or .json")]
    NeedsFile,
    #[error(":retire-token needs the grant token, e.g. :retire-token AQpAM2RhZ…")]
    NeedsToken,
    #[error(":dry-run takes on or off, not \"{0}\"")]
    NotOnOrOff(String),
    #[error(
        "unknown command :{0} (commands: :profile NAME, :region NAME, :retirable ARN, :export FILE, :retire-token TOKEN, :dry-run on|off, :quit)"
    )]
    Unknown(String),
}

/// Parses the text typed after `:`.
pub fn parse(line: &str) -> Result<CommandLine, ParseError> {
    let line = line.trim();
    let (name, arg) = match line.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (line, ""),
    };
    Ok(match (name, arg) {
        ("", _) => CommandLine::Nothing,
        ("q" | "quit", _) => CommandLine::Quit,
        ("profile", "") => {
            return Err(ParseError::NeedsName {
                name: "profile",
                example: "prod",
            });
        }
        ("region", "") => {
            return Err(ParseError::NeedsName {
                name: "region",
                example: "eu-west-1",
            });
        }
        ("profile", profile) => CommandLine::Profile(profile.to_owned()),
        ("region", region) => CommandLine::Region(region.to_owned()),
        ("retirable", "") => return Err(ParseError::NeedsPrincipal),
        ("retirable", principal) if is_principal(principal) => {
            CommandLine::Retirable(principal.to_owned())
        }
        ("retirable", other) => return Err(ParseError::NotAPrincipal(other.to_owned())),
        ("export" | "export!", "") => return Err(ParseError::NeedsFile),
        ("export", path) => CommandLine::Export {
            path: path.to_owned(),
            overwrite: false,
        },
        ("export!", path) => CommandLine::Export {
            path: path.to_owned(),
            overwrite: true,
        },
        ("retire-token", "") => return Err(ParseError::NeedsToken),
        ("retire-token", token) => CommandLine::RetireToken(token.to_owned()),
        ("dry-run", "on") => CommandLine::DryRun(true),
        ("dry-run", "off") => CommandLine::DryRun(false),
        ("dry-run", other) => return Err(ParseError::NotOnOrOff(other.to_owned())),
        (other, _) => return Err(ParseError::Unknown(other.to_owned())),
    })
}

/// Whether `text` can name a retiring principal: an ARN or a service principal, one word.
fn is_principal(text: &str) -> bool {
    let one_word = !text.is_empty() && !text.chars().any(char::is_whitespace);
    let arn = text.starts_with("arn:") && text.split(':').count() >= 6;
    let service = text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn");
    one_word && (arn || service)
}

impl App {
    /// Runs the text typed after `:`.
    pub(in crate::app) fn run_command(&mut self, line: &str) -> Vec<Command> {
        let command = match parse(line) {
            Ok(command) => command,
            Err(err) => {
                self.say(Level::Error, err.to_string());
                return Vec::new();
            }
        };
        match command {
            CommandLine::Nothing => Vec::new(),
            CommandLine::Quit => self.update(Action::Intent(Intent::Quit)),
            CommandLine::Profile(profile) => self.switch_profile(&profile),
            CommandLine::Region(region) => self.switch_region(&region),
            CommandLine::Retirable(principal) => self.show_retirable(&principal),
            CommandLine::Export { path, overwrite } => self.export(&path, overwrite),
            CommandLine::RetireToken(token) => self.ask_retire_token(&token),
            CommandLine::DryRun(on) => {
                self.session.dry_run = on;
                let text = if on {
                    "dry run on: writes are sent with DryRun=true and change nothing"
                } else {
                    "dry run off: retire and revoke delete grants for real"
                };
                self.say(Level::Info, text);
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_their_arguments() {
        assert_eq!(parse("  "), Ok(CommandLine::Nothing));
        assert_eq!(parse("q"), Ok(CommandLine::Quit));
        assert_eq!(parse("quit now"), Ok(CommandLine::Quit));
        assert_eq!(
            parse("profile  prod "),
            Ok(CommandLine::Profile("prod".to_owned()))
        );
        assert_eq!(
            parse("region eu-west-1"),
            Ok(CommandLine::Region("eu-west-1".to_owned()))
        );
        assert_eq!(
            parse("retirable rds.us-east-2.amazonaws.com"),
            Ok(CommandLine::Retirable(
                "rds.us-east-2.amazonaws.com".to_owned()
            ))
        );
        assert_eq!(
            parse("export! out.csv"),
            Ok(CommandLine::Export {
                path: "out.csv".to_owned(),
                overwrite: true
            })
        );
        assert_eq!(
            parse("retire-token AQpA"),
            Ok(CommandLine::RetireToken("AQpA".to_owned()))
        );
        assert_eq!(parse("dry-run off"), Ok(CommandLine::DryRun(false)));
    }

    #[test]
    fn bad_lines_say_what_is_missing_or_wrong() {
        assert_eq!(
            parse("profile").unwrap_err().to_string(),
            ":profile needs a name, e.g. :profile prod (Tab completes)"
        );
        assert_eq!(
            parse("region").unwrap_err().to_string(),
            ":region needs a name, e.g. :region eu-west-1 (Tab completes)"
        );
        assert_eq!(
            parse("retirable role/admin"),
            Err(ParseError::NotAPrincipal("role/admin".to_owned()))
        );
        assert_eq!(
            parse("retirable arn:aws:iam::1:role/a extra"),
            Err(ParseError::NotAPrincipal(
                "arn:aws:iam::1:role/a extra".to_owned()
            ))
        );
        assert_eq!(parse("export!"), Err(ParseError::NeedsFile));
        assert_eq!(parse("retire-token"), Err(ParseError::NeedsToken));
        assert_eq!(
            parse("dry-run maybe").unwrap_err().to_string(),
            ":dry-run takes on or off, not \"maybe\""
        );
        assert_eq!(
            parse("frobnicate x"),
            Err(ParseError::Unknown("frobnicate".to_owned()))
        );
    }
}
