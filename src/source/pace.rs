//! The client-side pace of AWS calls: a rate ceiling per KMS operation, kept under the KMS
//! request quotas, and a slowdown when KMS throttles anyway.
//!
//! KMS quotas are requests per second, shared by everything in the account and region. Each
//! operation gets a ceiling (by default 80% of its quota, leaving room for the account's other
//! callers): at most that many calls start in any one-second window. A `ThrottlingException`
//! that survives the SDK's own retries halves that operation's ceiling and pauses it with a
//! growing backoff before the call is tried again; the ceiling climbs back while no throttling
//! is seen. So a big inventory slows down instead of failing. Nothing here knows about AWS
//! types: [`Pacer::acquire`] before a call, [`Pacer::throttled`] or [`Pacer::succeeded`] after.

use serde::Deserialize;
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// The KMS operations kms-grants calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    ListKeys,
    ListAliases,
    DescribeKey,
    ListGrants,
    ListRetirableGrants,
    RetireGrant,
    RevokeGrant,
    CreateGrant,
}

impl From<super::WriteKind> for Op {
    fn from(kind: super::WriteKind) -> Self {
        match kind {
            super::WriteKind::Retire => Op::RetireGrant,
            super::WriteKind::Revoke => Op::RevokeGrant,
        }
    }
}

impl Op {
    /// Every operation, in the order of [`RateLimits`]' fields.
    pub const ALL: [Op; 8] = [
        Op::ListKeys,
        Op::ListAliases,
        Op::DescribeKey,
        Op::ListGrants,
        Op::ListRetirableGrants,
        Op::RetireGrant,
        Op::RevokeGrant,
        Op::CreateGrant,
    ];

    /// The API name, as in the KMS quota table: `ListGrants`.
    pub fn name(self) -> &'static str {
        self.action().trim_start_matches("kms:")
    }

    /// The KMS request quota (requests per second, per account and region).
    pub fn quota(self) -> u32 {
        match self {
            Op::ListKeys | Op::ListAliases => 500,
            Op::DescribeKey => 2000,
            Op::ListGrants | Op::ListRetirableGrants => 100,
            Op::RetireGrant | Op::RevokeGrant | Op::CreateGrant => 50,
        }
    }

    /// The IAM action name, as errors show it: `kms:ListGrants`.
    pub fn action(self) -> &'static str {
        match self {
            Op::ListKeys => "kms:ListKeys",
            Op::ListAliases => "kms:ListAliases",
            Op::DescribeKey => "kms:DescribeKey",
            Op::ListGrants => "kms:ListGrants",
            Op::ListRetirableGrants => "kms:ListRetirableGrants",
            Op::RetireGrant => "kms:RetireGrant",
            Op::RevokeGrant => "kms:RevokeGrant",
            Op::CreateGrant => "kms:CreateGrant",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The most calls per second of each operation (the `[rate_limits]` table of the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "PascalCase")]
pub struct RateLimits {
    pub list_keys: u32,
    pub list_aliases: u32,
    pub describe_key: u32,
    pub list_grants: u32,
    pub list_retirable_grants: u32,
    pub retire_grant: u32,
    pub revoke_grant: u32,
    pub create_grant: u32,
}

/// The highest ceiling the config accepts: far above any KMS quota, for local servers.
pub const MAX_RATE: u32 = 100_000;

impl Default for RateLimits {
    /// 80% of each KMS quota.
    fn default() -> Self {
        let share = |op: Op| op.quota() * 4 / 5;
        Self {
            list_keys: share(Op::ListKeys),
            list_aliases: share(Op::ListAliases),
            describe_key: share(Op::DescribeKey),
            list_grants: share(Op::ListGrants),
            list_retirable_grants: share(Op::ListRetirableGrants),
            retire_grant: share(Op::RetireGrant),
            revoke_grant: share(Op::RevokeGrant),
            create_grant: share(Op::CreateGrant),
        }
    }
}

impl RateLimits {
    /// No ceiling worth the name: for a local KMS-compatible server, which has no quota.
    pub fn unlimited() -> Self {
        Self {
            list_keys: MAX_RATE,
            list_aliases: MAX_RATE,
            describe_key: MAX_RATE,
            list_grants: MAX_RATE,
            list_retirable_grants: MAX_RATE,
            retire_grant: MAX_RATE,
            revoke_grant: MAX_RATE,
            create_grant: MAX_RATE,
        }
    }

    /// The ceilings when the config sets none: [`RateLimits::default`] for AWS (and any
    /// endpoint that may be AWS, such as a VPC endpoint), none for a server on this machine
    /// (`localhost`, `127.x.x.x`, `[::1]`), which has no KMS quota to respect.
    pub fn for_endpoint(endpoint: Option<&str>) -> Self {
        let host = endpoint
            .and_then(|url| url.split_once("://").map(|(_, rest)| rest))
            .map(|rest| rest.split(['/', '?']).next().unwrap_or_default())
            .map(|authority| authority.rsplit_once('@').map_or(authority, |(_, h)| h))
            .map(|host| {
                if host.starts_with('[') {
                    host.split(']')
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches('[')
                } else {
                    host.split(':').next().unwrap_or_default()
                }
            });
        let loopback = match host {
            Some(host) if host.eq_ignore_ascii_case("localhost") => true,
            Some(host) => host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()),
            None => false,
        };
        if loopback {
            Self::unlimited()
        } else {
            Self::default()
        }
    }

    /// The ceiling of `op`.
    pub fn of(&self, op: Op) -> u32 {
        match op {
            Op::ListKeys => self.list_keys,
            Op::ListAliases => self.list_aliases,
            Op::DescribeKey => self.describe_key,
            Op::ListGrants => self.list_grants,
            Op::ListRetirableGrants => self.list_retirable_grants,
            Op::RetireGrant => self.retire_grant,
            Op::RevokeGrant => self.revoke_grant,
            Op::CreateGrant => self.create_grant,
        }
    }

    /// The first ceiling outside 1..=[`MAX_RATE`], as (operation, value).
    pub fn invalid(&self) -> Option<(Op, u32)> {
        Op::ALL
            .into_iter()
            .map(|op| (op, self.of(op)))
            .find(|(_, rate)| !(1..=MAX_RATE).contains(rate))
    }
}

/// How the pace reacts to throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The pause after the first throttle in a row; it doubles with each one after.
    pub first: Duration,
    /// The longest pause.
    pub max: Duration,
    /// How many times one call is tried again after being throttled before it fails.
    pub retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(250),
            max: Duration::from_secs(5),
            retries: 8,
        }
    }
}

/// The pace of one operation.
#[derive(Debug)]
struct Window {
    /// The configured ceiling, and the one in force (lower after throttling).
    configured: u32,
    ceiling: u32,
    /// When the calls of the last second started, and the starts reserved after them (in
    /// order: each reservation is at or after the one before).
    starts: VecDeque<Instant>,
    /// No call starts before this (after a throttle).
    paused_until: Option<Instant>,
    /// Throttles in a row, for the backoff.
    streak: u32,
    /// When the ceiling last changed: it climbs back one step per second after.
    changed: Instant,
    /// When throttling last halved the ceiling: only a call that started after that can halve
    /// it again (the calls in flight with it were sent at the old pace).
    halved: Option<Instant>,
}

/// The pace of every operation of one source. Shared by all its calls.
#[derive(Debug)]
pub struct Pacer {
    /// Held only to reserve a start or record a throttle, never while waiting.
    windows: Vec<Mutex<Window>>,
    configured: Vec<u32>,
    backoff: Backoff,
    throttles: AtomicU64,
    lowest: Vec<AtomicU64>,
}

const SECOND: Duration = Duration::from_secs(1);

impl Pacer {
    pub fn new(limits: RateLimits, backoff: Backoff) -> Self {
        let now = Instant::now();
        Self {
            windows: Op::ALL
                .into_iter()
                .map(|op| {
                    let ceiling = limits.of(op).max(1);
                    Mutex::new(Window {
                        configured: ceiling,
                        ceiling,
                        starts: VecDeque::new(),
                        paused_until: None,
                        streak: 0,
                        changed: now,
                        halved: None,
                    })
                })
                .collect(),
            configured: Op::ALL.into_iter().map(|op| limits.of(op).max(1)).collect(),
            backoff,
            throttles: AtomicU64::new(0),
            lowest: Op::ALL
                .into_iter()
                .map(|op| AtomicU64::new(u64::from(limits.of(op).max(1))))
                .collect(),
        }
    }

    /// How often one call may be tried again after a throttle.
    pub fn retries(&self) -> u32 {
        self.backoff.retries
    }

    /// Waits until a call of `op` may start without going over its ceiling, and returns when
    /// it started. The start is reserved under the lock (first come, first served) and the
    /// wait happens after the lock is released.
    pub async fn acquire(&self, op: Op) -> Instant {
        let slot = {
            let mut window = self.windows[op.index()].lock().await;
            let now = Instant::now();
            // Climb back one tenth of the configured ceiling per second without throttling.
            let quiet = now.duration_since(window.changed).as_secs();
            if window.ceiling < window.configured && quiet >= 1 {
                let step = u64::from((window.configured / 10).max(1));
                let climbed = u64::from(window.ceiling) + step * quiet;
                window.ceiling = u32::try_from(climbed)
                    .unwrap_or(u32::MAX)
                    .min(window.configured);
                window.changed += Duration::from_secs(quiet);
            }
            while window
                .starts
                .front()
                .is_some_and(|&start| now.saturating_duration_since(start) >= SECOND)
            {
                window.starts.pop_front();
            }
            let mut slot = now.max(window.paused_until.unwrap_or(now));
            if let Some(&last) = window.starts.back() {
                slot = slot.max(last);
            }
            // The ceiling-th start before this one must be a second old by then.
            let ceiling = window.ceiling as usize;
            if window.starts.len() >= ceiling {
                let bound = window.starts[window.starts.len() - ceiling] + SECOND;
                slot = slot.max(bound);
            }
            window.starts.push_back(slot);
            slot
        };
        tokio::time::sleep_until(slot).await;
        slot
    }

    /// A call of `op` that started at `started` was throttled: halve the ceiling (once per
    /// change: the other calls in flight with it do not halve it again) and pause the
    /// operation, longer each time in a row.
    pub async fn throttled(&self, op: Op, started: Instant) {
        self.throttles.fetch_add(1, Ordering::Relaxed);
        let mut window = self.windows[op.index()].lock().await;
        let now = Instant::now();
        if window.halved.is_none_or(|halved| started > halved) {
            window.ceiling = (window.ceiling / 2).max(1);
            window.changed = now;
            window.halved = Some(now);
        }
        window.streak = window.streak.saturating_add(1);
        let factor = 2u32.saturating_pow(window.streak.saturating_sub(1).min(16));
        let pause = self
            .backoff
            .first
            .saturating_mul(factor)
            .min(self.backoff.max);
        window.paused_until = Some(now + pause);
        // Reservations made before the throttle start no earlier than the pause ends.
        for start in window.starts.iter_mut() {
            if *start > now {
                *start = (*start).max(now + pause);
            }
        }
        self.lowest[op.index()].fetch_min(u64::from(window.ceiling), Ordering::Relaxed);
    }

    /// A call of `op` went through: the throttling streak is over.
    pub async fn succeeded(&self, op: Op) {
        let mut window = self.windows[op.index()].lock().await;
        window.streak = 0;
    }

    /// How many times KMS throttled a call even after the SDK's retries.
    pub fn throttles(&self) -> u64 {
        self.throttles.load(Ordering::Relaxed)
    }

    /// For each operation throttling has slowed right now: (operation, its ceiling, the
    /// configured one). A window busy this instant is skipped: this is for a progress line.
    pub fn slowed_now(&self) -> Vec<(Op, u32, u32)> {
        Op::ALL
            .into_iter()
            .filter_map(|op| {
                let window = self.windows[op.index()].try_lock().ok()?;
                // As `acquire` will find it: climbed back a tenth per quiet second.
                let quiet = window.changed.elapsed().as_secs();
                let step = u64::from((window.configured / 10).max(1));
                let ceiling = u64::from(window.ceiling)
                    .saturating_add(step.saturating_mul(quiet))
                    .min(u64::from(window.configured));
                let ceiling = u32::try_from(ceiling).unwrap_or(window.configured);
                (ceiling < window.configured).then_some((op, ceiling, window.configured))
            })
            .collect()
    }

    /// For each operation whose ceiling throttling lowered: (operation, the lowest ceiling,
    /// the configured one).
    pub fn slowdowns(&self) -> Vec<(Op, u32, u32)> {
        Op::ALL
            .into_iter()
            .filter_map(|op| {
                let lowest = self.lowest[op.index()].load(Ordering::Relaxed);
                let lowest = u32::try_from(lowest).unwrap_or(u32::MAX);
                let configured = self.configured[op.index()];
                (lowest < configured).then_some((op, lowest, configured))
            })
            .collect()
    }
}

impl fmt::Display for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Op::ALL
            .into_iter()
            .map(|op| format!("{} {}/s", op.name(), self.of(op)))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(list_grants: u32) -> RateLimits {
        RateLimits {
            list_grants,
            ..RateLimits::default()
        }
    }

    #[test]
    fn defaults_stay_under_every_quota() {
        let limits = RateLimits::default();
        for op in Op::ALL {
            assert!(limits.of(op) < op.quota(), "{op:?}");
            assert!(limits.of(op) >= op.quota() / 2, "{op:?}");
        }
        assert_eq!(limits.list_grants, 80);
        assert_eq!(limits.invalid(), None);
        assert_eq!(
            RateLimits {
                describe_key: 0,
                ..limits
            }
            .invalid(),
            Some((Op::DescribeKey, 0))
        );
    }

    #[test]
    fn only_a_server_on_this_machine_goes_unpaced_by_default() {
        for local in [
            "http://127.0.0.1:5000",
            "http://localhost:4566/",
            "http://[::1]:5000",
            "http://127.0.0.2",
        ] {
            assert_eq!(
                RateLimits::for_endpoint(Some(local)),
                RateLimits::unlimited(),
                "{local}"
            );
        }
        for remote in [
            None,
            Some("https://kms.us-east-2.amazonaws.com"),
            Some("https://vpce-0123.kms.us-east-2.vpce.amazonaws.com"),
            Some("http://10.0.0.5:5000"),
            Some("http://localhost.example.com"),
            Some("not a url"),
        ] {
            assert_eq!(
                RateLimits::for_endpoint(remote),
                RateLimits::default(),
                "{remote:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_ceiling_start_in_any_second() {
        let pacer = Pacer::new(limits(5), Backoff::default());
        let started = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..12 {
            pacer.acquire(Op::ListGrants).await;
            starts.push(started.elapsed());
        }
        // Five at once, five a second later, two a second after that.
        assert!(starts[..5].iter().all(|t| *t < SECOND));
        assert!(
            starts[5..10]
                .iter()
                .all(|t| *t >= SECOND && *t < 2 * SECOND)
        );
        assert!(starts[10..].iter().all(|t| *t >= 2 * SECOND));
        // Every window of one second holds at most five starts.
        for (i, start) in starts.iter().enumerate() {
            let within = starts[i..].iter().filter(|t| **t - *start < SECOND).count();
            assert!(within <= 5, "{within} calls within a second of {start:?}");
        }
        // Other operations have their own ceilings.
        let before = Instant::now();
        pacer.acquire(Op::DescribeKey).await;
        assert_eq!(before.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_halves_the_ceiling_pauses_and_recovers() {
        let backoff = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_millis(300),
            retries: 3,
        };
        let pacer = Pacer::new(limits(40), backoff);
        // At 0 ms a call is throttled: 40 → 20, and ListGrants pauses 100 ms.
        pacer.throttled(Op::ListGrants, Instant::now()).await;
        let before = Instant::now();
        let first = pacer.acquire(Op::ListGrants).await;
        assert_eq!(before.elapsed(), Duration::from_millis(100));
        // Two calls that started together are throttled: the ceiling halves once (20 → 10),
        // and the pause doubles per throttle in a row, capped (200 ms, then 300 ms).
        pacer.throttled(Op::ListGrants, first).await;
        pacer.throttled(Op::ListGrants, first).await;
        assert_eq!(pacer.slowdowns(), vec![(Op::ListGrants, 10, 40)]);
        assert_eq!(pacer.throttles(), 3);
        let before = Instant::now();
        pacer.acquire(Op::ListGrants).await;
        assert_eq!(before.elapsed(), Duration::from_millis(300));
        // Ten may start per second now: two did (at 100 and 400 ms), eight more start at once,
        // the next waits until the first is a second old (1,100 ms).
        let before = Instant::now();
        for _ in 0..8 {
            pacer.acquire(Op::ListGrants).await;
        }
        assert_eq!(before.elapsed(), Duration::ZERO);
        pacer.acquire(Op::ListGrants).await;
        assert_eq!(before.elapsed(), Duration::from_millis(700));
        // Quiet seconds climb back to the configured ceiling.
        pacer.succeeded(Op::ListGrants).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let started = Instant::now();
        for _ in 0..40 {
            pacer.acquire(Op::ListGrants).await;
        }
        assert!(started.elapsed() < SECOND);
    }
}
