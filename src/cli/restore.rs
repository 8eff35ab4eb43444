//! `kms-grants restore`: finds a deleted grant in the audit log, checks that the flags point
//! where it was deleted, asks, and recreates it through the audited [`Writer`], which records
//! it like any write the app makes.
//!
//! Nothing here sends a write itself, and nothing reaches the terminal unclean: the audit log
//! holds what AWS said.

use super::args::{Cli, live_options, one};
use super::session::resolve_account;
use crate::audit::AuditLog;
use crate::config::Config;
use crate::places::{Places, WriteFlags, effective_profile};
use crate::source::{KmsSource, LiveKms};
use crate::writer::{Audit, Writer, Written};
use std::sync::Arc;

/// `kms-grants restore --grant-id ID [--key KEY] [--yes]`. A dry run makes every check a real
/// run makes (account, region, endpoint, an earlier restore) and says what it would create.
pub(super) async fn restore(
    cli: &Cli,
    config: &Config,
    flags: WriteFlags,
    grant_id: &str,
    key: Option<&str>,
    yes: bool,
) -> anyhow::Result<()> {
    if cli.demo || cli.fixture.is_some() {
        anyhow::bail!("restore recreates grants in a live account; drop --demo/--fixture");
    }
    one(&cli.profile, "profile")?;
    one(&cli.region, "region")?;
    let dry_run = cli.dry_run || config.dry_run;
    let profile = cli.profile.first().or(config.profile.as_ref());
    let places = Places::from_profiles([], &config.accounts);
    if let Some(reason) =
        places.read_only_reason(Some(&effective_profile(profile.map(String::as_str))), flags)
    {
        anyhow::bail!("the session is read-only ({reason}), so kms:CreateGrant was not sent");
    }
    let path = cli
        .audit_log
        .clone()
        .or_else(AuditLog::default_path)
        .ok_or_else(|| {
            anyhow::anyhow!("this platform has no state directory; pass --audit-log PATH")
        })?;
    // The audit log holds what AWS said: shown with nothing in it able to drive the terminal.
    let clean = crate::ui::text::clean;
    let read = crate::audit::read_all(&path).map_err(anyhow::Error::msg)?;
    if let Some(warning) = &read.skipped {
        eprintln!("kms-grants: warning: {}", clean(warning));
    }
    let records = read.records;
    if let Some(memory_only) = records.iter().rev().find(|r| {
        r.is_deletion()
            && r.source != "live"
            && r.grant.as_ref().is_some_and(|g| g.grant_id == grant_id)
    }) && crate::audit::find_deletion(&records, grant_id).is_none()
    {
        anyhow::bail!(
            "grant {grant_id} was deleted in a {} session, which changed only memory: there is nothing to restore",
            memory_only.source
        );
    }
    let deletions = crate::audit::find_deletions(&records, grant_id);
    if deletions.is_empty() {
        anyhow::bail!(
            "{} has no successful retire or revoke of grant {grant_id}, so there is nothing to restore",
            path.display()
        );
    }
    let mut options = live_options(cli, config, false);
    resolve_account(&mut options, &places);
    let live = LiveKms::connect(&options).await?;
    let deleted = choose_deletion(&deletions, key, &live, grant_id).await?;
    let Some(grant) = deleted.grant.clone() else {
        anyhow::bail!("the audit record of grant {grant_id} does not hold the grant");
    };
    let name = crate::audit::restore_name(&grant);
    println!(
        "{} of {} at {}:",
        clean(deleted.action.as_str()),
        clean(grant_id),
        clean(&deleted.time)
    );
    println!("  key                {}", clean(&deleted.key));
    match grant.name.as_deref().filter(|n| !n.is_empty()) {
        Some(original) => println!("  name               {}", clean(original)),
        None => println!(
            "  name               — (sent as {}, so that a repeated CreateGrant gives back the same grant)",
            clean(&name)
        ),
    }
    println!(
        "  grantee            {}",
        clean(grant.grantee().unwrap_or("—"))
    );
    println!(
        "  retiring principal {}",
        clean(grant.retiree().unwrap_or("—"))
    );
    println!("  operations         {}", clean(&grant.operations_full()));
    let constraints = grant.constraints_summary();
    println!(
        "  constraints        {}",
        if constraints.is_empty() {
            "—".into()
        } else {
            clean(&constraints)
        }
    );
    // The grant goes back where it was deleted, not wherever these flags point.
    let info = live.info();
    let endpoint = match &info.kind {
        crate::source::SourceKind::Live { endpoint, .. } => endpoint.clone(),
        _ => None,
    };
    if deleted.region.is_some() && deleted.region != info.region {
        anyhow::bail!(
            "grant {grant_id} was deleted in region {}, but this restore points at {}; pass --region {}",
            deleted.region.as_deref().unwrap_or("?"),
            info.region.as_deref().unwrap_or("no region"),
            deleted.region.as_deref().unwrap_or("?")
        );
    }
    if deleted.endpoint != endpoint {
        anyhow::bail!(
            "grant {grant_id} was deleted through endpoint {}, but this restore points at {}",
            deleted.endpoint.as_deref().unwrap_or("AWS's own"),
            endpoint.as_deref().unwrap_or("AWS's own")
        );
    }
    if let (Some(account), Ok(Some(caller))) = (&deleted.account, live.caller().await)
        && !caller.account.is_empty()
        && &caller.account != account
    {
        anyhow::bail!(
            "grant {grant_id} was deleted in account {account}, but these credentials are for account {}",
            caller.account
        );
    }
    if let Some(refusal) = crate::audit::restore_refusal(&records, grant_id) {
        anyhow::bail!(refusal);
    }
    if dry_run {
        println!(
            "would create a grant named {} on key {} like the one above",
            clean(&name),
            clean(&deleted.key)
        );
        println!("dry run: kms:CreateGrant was not sent; nothing was created");
        return Ok(());
    }
    if !yes {
        use std::io::{BufRead, Write};
        print!("Recreate this grant with kms:CreateGrant? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            anyhow::bail!("restore cancelled: nothing was created");
        }
    }
    let audit = match AuditLog::open(&path) {
        Ok(log) => Audit::Log(Arc::new(log)),
        Err(err) => Audit::Unavailable(err),
    };
    let what = format!("grant {grant_id}");
    let Written { result, unrecorded } = Writer::new(&live, &audit)
        .restore(&grant, &deleted.key, &what)
        .await;
    if let Ok(restored) = &result {
        if let Some(lost) = restored.lost {
            println!(
                "the answer to kms:CreateGrant was lost ({lost}); listing the key shows grant {} named {}",
                clean(&restored.grant_id),
                clean(&restored.name)
            );
        }
        println!(
            "restored grant {} as new grant {}",
            clean(grant_id),
            clean(&restored.grant_id)
        );
    }
    match (result, unrecorded) {
        // Refused, failed, or an intent not written (nothing was sent): the error says which.
        (Err(err @ crate::source::SourceError::Audit(_)), _) | (Err(err), None) => Err(err.into()),
        (_, Some(unrecorded)) => Err(anyhow::anyhow!(unrecorded.said)),
        (Ok(_), None) => Ok(()),
    }
}

/// The deletion a restore recreates: the only one, or the one on `--key` (an id, ARN or
/// alias) when the grant id was deleted on several keys.
async fn choose_deletion<'a>(
    deletions: &[&'a crate::audit::AuditRecord],
    key: Option<&str>,
    live: &LiveKms,
    grant_id: &str,
) -> anyhow::Result<&'a crate::audit::AuditRecord> {
    let keys = || {
        deletions
            .iter()
            .map(|r| crate::ui::text::clean(&r.key).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(wanted) = key else {
        return match deletions {
            [only] => Ok(only),
            _ => anyhow::bail!(
                "grant {grant_id} was deleted on {} keys ({}); pass --key KEY (its id, ARN or alias) to say which one to restore",
                deletions.len(),
                keys()
            ),
        };
    };
    // An alias names a key only through KMS.
    let arn = if wanted.starts_with("alias/") || wanted.contains(":alias/") {
        live.describe_key(wanted)
            .await
            .map_err(|e| anyhow::anyhow!("cannot find the key of {wanted}: {e}"))?
            .arn
    } else {
        wanted.to_owned()
    };
    let id = crate::domain::key_id_of(&arn);
    deletions
        .iter()
        .find(|r| {
            r.key == arn
                || crate::domain::key_id_of(&r.key) == id
                || r.grant
                    .as_ref()
                    .is_some_and(|g| crate::domain::key_id_of(&g.key_id) == id)
        })
        .copied()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the audit log has no deletion of grant {grant_id} on key {wanted}; it was deleted on {}",
                keys()
            )
        })
}
