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

    /// The API name, as in the KMS quota table.
    pub fn name(self) -> &'static str {
        match self {
            Op::ListKeys => "ListKeys",
            Op::ListAliases => "ListAliases",
            Op::DescribeKey => "DescribeKey",
            Op::ListGrants => "ListGrants",
            Op::ListRetirableGrants => "ListRetirableGrants",
            Op::RetireGrant => "RetireGrant",
            Op::RevokeGrant => "RevokeGrant",
            Op::CreateGrant => "CreateGrant",
        }
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
    /// When the calls of the last second started.
    starts: VecDeque<Instant>,
    /// No call starts before this (after a throttle).
    paused_until: Option<Instant>,
    /// Throttles in a row, for the backoff.
    streak: u32,
    /// When the ceiling last changed, so it climbs back one step per second.
    changed: Instant,
}

/// The pace of every operation of one source. Shared by all its calls.
#[derive(Debug)]
pub struct Pacer {
    windows: Vec<Mutex<Window>>,
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
                    })
                })
                .collect(),
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

    /// Waits until a call of `op` may start without going over its ceiling. Waiters are served
    /// in the order they came (the lock is fair).
    pub async fn acquire(&self, op: Op) {
        let mut window = self.windows[op.index()].lock().await;
        loop {
            let now = Instant::now();
            if let Some(until) = window.paused_until {
                if until > now {
                    tokio::time::sleep_until(until).await;
                    continue;
                }
                window.paused_until = None;
            }
            while window
                .starts
                .front()
                .is_some_and(|&start| now.duration_since(start) >= SECOND)
            {
                window.starts.pop_front();
            }
            // Climb back one tenth of the configured ceiling per second without throttling.
            let quiet = now.duration_since(window.changed).as_secs();
            if window.ceiling < window.configured && quiet >= 1 {
                let step = (window.configured / 10).max(1);
                let climbed = u64::from(window.ceiling) + u64::from(step) * quiet;
                window.ceiling = u32::try_from(climbed)
                    .unwrap_or(u32::MAX)
                    .min(window.configured);
                window.changed = now;
            }
            if (window.starts.len() as u64) < u64::from(window.ceiling) {
                window.starts.push_back(now);
                return;
            }
            // Full: wait until the oldest call of the window is a second old.
            let oldest = window.starts.front().copied().unwrap_or(now);
            tokio::time::sleep_until(oldest + SECOND).await;
        }
    }

    /// A call of `op` was throttled: halve its ceiling and pause it, longer each time in a row.
    pub async fn throttled(&self, op: Op) {
        self.throttles.fetch_add(1, Ordering::Relaxed);
        let mut window = self.windows[op.index()].lock().await;
        let now = Instant::now();
        window.ceiling = (window.ceiling / 2).max(1);
        window.changed = now;
        window.streak = window.streak.saturating_add(1);
        let factor = 2u32.saturating_pow(window.streak.saturating_sub(1).min(16));
        let pause = self
            .backoff
            .first
            .saturating_mul(factor)
            .min(self.backoff.max);
        window.paused_until = Some(now + pause);
        self.lowest[op.index()].fetch_min(u64::from(window.ceiling), Ordering::Relaxed);
    }

    /// A call of `op` went through: the throttling streak is over.
    pub async fn succeeded(&self, op: Op) {
        let mut window = self.windows[op.index()].lock().await;
        window.streak = 0;
    }

    /// How many calls were throttled after the SDK's retries.
    pub fn throttles(&self) -> u64 {
        self.throttles.load(Ordering::Relaxed)
    }

    /// The report of throttling so far: `ListGrants slowed to 10/s` for each operation whose
    /// ceiling was lowered; empty when none was.
    pub fn slowdowns(&self) -> Vec<(Op, u32, u32)> {
        let limits = Op::ALL.into_iter().zip(&self.lowest);
        limits
            .filter_map(|(op, lowest)| {
                let lowest = u32::try_from(lowest.load(Ordering::Relaxed)).unwrap_or(u32::MAX);
                let configured = self.windows[op.index()]
                    .try_lock()
                    .map(|w| w.configured)
                    .unwrap_or(lowest);
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
        pacer.throttled(Op::ListGrants).await;
        let before = Instant::now();
        pacer.acquire(Op::ListGrants).await;
        assert_eq!(before.elapsed(), Duration::from_millis(100));
        // A second throttle in a row pauses twice as long, a third is capped.
        pacer.throttled(Op::ListGrants).await;
        pacer.throttled(Op::ListGrants).await;
        let before = Instant::now();
        pacer.acquire(Op::ListGrants).await;
        assert_eq!(before.elapsed(), Duration::from_millis(300));
        assert_eq!(pacer.throttles(), 3);
        // 40 → 20 → 10 → 5: two calls started since the first throttle, so only three more
        // start now; the fourth waits until the first is a second old (at 1.1 s).
        let started = Instant::now();
        for _ in 0..4 {
            pacer.acquire(Op::ListGrants).await;
        }
        assert_eq!(started.elapsed(), Duration::from_millis(700));
        assert_eq!(pacer.slowdowns(), vec![(Op::ListGrants, 5, 40)]);
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
