//! Timestamps as KMS gives them: epoch seconds (with a fraction) or RFC 3339 text.
//!
//! Plain data only: formatting for humans lives here because both the table and the detail view
//! use it, but nothing here reads the clock — the caller passes "now".

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time, in milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The timestamp `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// The timestamp `secs` seconds after the epoch.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// Converts epoch seconds with a fraction (the AWS CLI's JSON form); `None` when not finite
    /// or out of range.
    pub fn from_epoch_f64(secs: f64) -> Option<Self> {
        let millis = (secs * 1000.0).round();
        // Years 0..=9999 are what RFC 3339 can write; anything else is a broken value.
        if millis.is_finite() && (-62_167_219_200_000.0..=253_402_300_799_000.0).contains(&millis) {
            Some(Self(millis as i64))
        } else {
            None
        }
    }

    /// Parses RFC 3339 text such as `2026-11-22T10:00:00Z`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
        let millis = parsed.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).ok().map(Self)
    }

    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Seconds since the epoch, with the fraction.
    pub fn epoch_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    fn to_datetime(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).ok()
    }

    /// `2026-11-22`.
    pub fn date(self) -> String {
        match self.to_datetime() {
            Some(dt) => format!(
                "{:04}-{:02}-{:02}",
                dt.year(),
                u8::from(dt.month()),
                dt.day()
            ),
            None => "?".to_owned(),
        }
    }

    /// `2026-11-22T10:00:00Z` (seconds precision, UTC).
    pub fn rfc3339(self) -> String {
        match self.to_datetime() {
            Some(dt) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                dt.year(),
                u8::from(dt.month()),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            ),
            None => "?".to_owned(),
        }
    }

    /// Whole days from `self` to `now` (0 when `self` is in the future).
    pub fn days_until(self, now: Timestamp) -> i64 {
        (now.0 - self.0).max(0) / 86_400_000
    }

    /// A short age such as `45m`, `3h`, `12d`, `7mo`, `3y`.
    pub fn age(self, now: Timestamp) -> String {
        let secs = (now.0 - self.0).max(0) / 1000;
        let days = secs / 86_400;
        if secs < 3600 {
            format!("{}m", secs / 60)
        } else if days < 1 {
            format!("{}h", secs / 3600)
        } else if days < 60 {
            format!("{days}d")
        } else if days < 730 {
            format!("{}mo", days / 30)
        } else {
            format!("{}y", days / 365)
        }
    }

    /// The current time from the system clock. Only the runtime calls this; state holds the value.
    pub fn now() -> Self {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        Self(i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    /// Written as epoch seconds, the shape `aws kms list-grants` prints.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1000 == 0 {
            serializer.serialize_f64((self.0 / 1000) as f64)
        } else {
            serializer.serialize_f64(self.epoch_secs_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as epoch seconds or RFC 3339 text")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Timestamp::from_epoch_f64(v)
                    .ok_or_else(|| E::custom(format!("the date {v} is out of range")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v).ok_or_else(|| {
                    E::custom(format!(
                        "\"{}\" is not an RFC 3339 date such as 2026-11-22T10:00:00Z",
                        v.escape_debug()
                    ))
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_rfc3339_agree() {
        let a: Timestamp = serde_json::from_str("1572216195.0").unwrap();
        let b: Timestamp = serde_json::from_str("\"2019-10-27T22:43:15Z\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rfc3339(), "2019-10-27T22:43:15Z");
        assert_eq!(a.date(), "2019-10-27");
    }

    #[test]
    fn ages_read_naturally() {
        let now = Timestamp::from_secs(1_800_000_000);
        assert_eq!(Timestamp::from_secs(1_800_000_000 - 120).age(now), "2m");
        assert_eq!(Timestamp::from_secs(1_800_000_000 - 7200).age(now), "2h");
        assert_eq!(
            Timestamp::from_secs(1_800_000_000 - 3 * 86_400).age(now),
            "3d"
        );
        assert_eq!(
            Timestamp::from_secs(1_800_000_000 - 200 * 86_400).age(now),
            "6mo"
        );
        assert_eq!(
            Timestamp::from_secs(1_800_000_000 - 1100 * 86_400).age(now),
            "3y"
        );
        assert_eq!(Timestamp::from_secs(1_800_000_000 + 60).age(now), "0m");
    }

    #[test]
    fn bad_dates_are_rejected() {
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("1e300").is_err());
        assert!(serde_json::from_str::<Timestamp>("true").is_err());
    }
}
