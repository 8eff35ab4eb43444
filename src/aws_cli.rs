//! The AWS CLI commands that do what the app's retire (`x`), revoke (`X`) and restore do, for a
//! user who would rather paste a command than press a key.
//!
//! Each command names where this session points (`--profile`, `--region`, `--endpoint-url`), so
//! a pasted command goes to the same account, and every value taken from a grant or a key is
//! quoted as one shell word: ids and principals from a shared fixture could hold shell syntax
//! (the session's own profile, region and endpoint are written as given). This module builds the
//! commands as data; how they are laid out on screen (one argument a line, backslashes) is the
//! detail view's business, and nothing here sanitizes for the terminal.

use crate::domain::Grant;
use crate::source::{SourceInfo, SourceKind};
use std::fmt;

/// One `aws kms` command: the subcommand and its arguments, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCliCommand {
    /// The `aws kms` subcommand: `retire-grant`, `revoke-grant`, `create-grant`.
    pub verb: &'static str,
    pub args: Vec<CliArg>,
}

impl AwsCliCommand {
    /// The command before its arguments: `aws kms retire-grant`.
    pub fn head(&self) -> String {
        format!("aws kms {}", self.verb)
    }
}

/// One flag and its value, the value already quoted for a POSIX shell (it may be several words,
/// as `--operations Decrypt Encrypt` is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliArg {
    pub flag: &'static str,
    pub value: String,
}

impl CliArg {
    /// A value from a grant or a key, quoted.
    fn quoted(flag: &'static str, value: &str) -> Self {
        Self {
            flag,
            value: shell_quote(value),
        }
    }

    /// A value from the user's own flags or configuration, written as it is.
    fn unquoted(flag: &'static str, value: &str) -> Self {
        Self {
            flag,
            value: value.to_owned(),
        }
    }
}

impl fmt::Display for CliArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.flag, self.value)
    }
}

/// The commands that retire, revoke and recreate `grant` on the key `key_arn`, in that order,
/// each aimed where `info` points.
pub fn grant_commands(grant: &Grant, key_arn: &str, info: &SourceInfo) -> [AwsCliCommand; 3] {
    let target = target(info);
    let delete = |verb| {
        let mut args = target.clone();
        args.push(CliArg::quoted("--key-id", key_arn));
        args.push(CliArg::quoted("--grant-id", &grant.grant_id));
        AwsCliCommand { verb, args }
    };
    let mut create = create_grant(grant, key_arn);
    create.args.splice(0..0, target.iter().cloned());
    [delete("retire-grant"), delete("revoke-grant"), create]
}

/// `--profile P`, `--region X` and, for a non-AWS endpoint, `--endpoint-url Y`, so a pasted
/// command goes where this session goes. A fixture's recorded profile is left out: a fixture
/// session does not go there by itself.
fn target(info: &SourceInfo) -> Vec<CliArg> {
    let mut out = Vec::new();
    if let (SourceKind::Live { .. }, Some(profile)) = (&info.kind, &info.profile) {
        out.push(CliArg::unquoted("--profile", profile));
    }
    if let Some(region) = &info.region {
        out.push(CliArg::unquoted("--region", region));
    }
    if let SourceKind::Live {
        endpoint: Some(endpoint),
        ..
    } = &info.kind
    {
        out.push(CliArg::unquoted("--endpoint-url", endpoint));
    }
    out
}

/// The `aws kms create-grant` that would recreate `grant` on `key`.
fn create_grant(grant: &Grant, key: &str) -> AwsCliCommand {
    let mut args = vec![CliArg::quoted("--key-id", key)];
    if let Some(p) = &grant.grantee_principal {
        args.push(CliArg::quoted("--grantee-principal", p));
    }
    if let Some(p) = &grant.retiring_principal {
        args.push(CliArg::quoted("--retiring-principal", p));
    }
    let ops: Vec<String> = grant
        .operations
        .iter()
        .map(|op| shell_quote(op.as_str()))
        .collect();
    args.push(CliArg {
        flag: "--operations",
        value: ops.join(" "),
    });
    if let Some(c) = grant.constraints.as_ref().filter(|c| !c.is_empty()) {
        args.push(CliArg::quoted(
            "--constraints",
            &serde_json::to_string(c).unwrap_or_default(),
        ));
    }
    if let Some(name) = grant.name.as_deref().filter(|n| !n.is_empty()) {
        args.push(CliArg::quoted("--name", name));
    }
    AwsCliCommand {
        verb: "create-grant",
        args,
    }
}

/// `text` as one POSIX shell word: bare when it is plainly safe, else quoted (`shlex` picks
/// single or double quotes). A NUL cannot be passed on a command line at all; it is kept inside
/// the quotes so the detail view shows it (as `␀`) rather than hiding that the value holds one.
fn shell_quote(text: &str) -> String {
    shlex::Quoter::new()
        .allow_nul(true)
        .quote(text)
        .map_or_else(|_| text.to_owned(), |word| word.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(args: &[CliArg]) -> Vec<String> {
        args.iter().map(CliArg::to_string).collect()
    }

    #[test]
    fn pasted_commands_go_where_the_session_goes() {
        let live = SourceInfo {
            kind: SourceKind::Live {
                profile: Some("prod".to_owned()),
                endpoint: Some("http://127.0.0.1:4566".to_owned()),
            },
            profile: Some("prod".to_owned()),
            account: None,
            region: Some("eu-west-1".to_owned()),
            recorded_at: None,
        };
        assert_eq!(
            shown(&target(&live)),
            [
                "--profile prod",
                "--region eu-west-1",
                "--endpoint-url http://127.0.0.1:4566"
            ]
        );
        // A fixture's recorded profile is not where a pasted command should go by itself.
        let fixture = SourceInfo {
            kind: SourceKind::Fixture("a.json".to_owned()),
            ..live
        };
        assert_eq!(shown(&target(&fixture)), ["--region eu-west-1"]);
    }

    #[test]
    fn every_grant_value_is_one_shell_word() {
        let grant: Grant = serde_json::from_value(serde_json::json!({
            "KeyId": "k1",
            "GrantId": "g1; rm -rf ~",
            "Name": "it's mine",
            "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
            "Operations": ["Decrypt", "RetireGrant"],
            "Constraints": {"EncryptionContextSubset": {"team": "payments"}},
        }))
        .expect("a grant");
        let info = SourceInfo {
            kind: SourceKind::Demo,
            profile: None,
            account: None,
            region: Some("us-east-2".to_owned()),
            recorded_at: None,
        };
        let key = "arn:aws:kms:us-east-2:111122223333:key/k1";
        let [retire, revoke, create] = grant_commands(&grant, key, &info);
        assert_eq!(retire.head(), "aws kms retire-grant");
        assert_eq!(
            shown(&revoke.args),
            [
                "--region us-east-2",
                "--key-id arn:aws:kms:us-east-2:111122223333:key/k1",
                "--grant-id 'g1; rm -rf ~'",
            ]
        );
        assert_eq!(
            shown(&create.args),
            [
                "--region us-east-2",
                "--key-id arn:aws:kms:us-east-2:111122223333:key/k1",
                "--grantee-principal arn:aws:iam::111122223333:role/app",
                "--operations Decrypt RetireGrant",
                r#"--constraints '{"EncryptionContextSubset":{"team":"payments"}}'"#,
                r#"--name "it's mine""#,
            ]
        );
        // Every quoted value splits back into exactly the value it came from.
        for arg in create.args.iter().chain(&revoke.args) {
            if arg.flag != "--operations" {
                assert_eq!(shlex::split(&arg.value).map(|w| w.len()), Some(1), "{arg}");
            }
        }
        assert_eq!(shell_quote("a\0b"), "'a\0b'");
    }
}
