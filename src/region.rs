//! AWS region names: the regions KMS runs in, the ones an account must opt in to, and what a
//! region name looks like.
//!
//! Plain data and one check, with no dependencies: the config file, the places an operator can
//! switch to, the live source and the command line all use them. Nothing here knows which
//! regions an account has enabled; a region that is not answers with an error, like any other
//! failure.

/// The commercial regions KMS runs in (KMS is in every one), for `:region`, the `R` picker and
/// `record --all-regions`. A region that is not enabled for the account answers with an error,
/// like any other failure.
pub const KMS_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
];

/// The regions an account must enable before use. Until it does, every call there is refused
/// as if the credentials were invalid, so `record --all-regions` skips them instead of failing.
pub const OPT_IN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
];

/// Whether `name` has the shape of an AWS region (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn looks_like_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_in_regions_are_kms_regions() {
        for region in OPT_IN_REGIONS {
            assert!(KMS_REGIONS.contains(region), "{region}");
        }
    }

    #[test]
    fn region_shapes() {
        for ok in ["us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-7"] {
            assert!(looks_like_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "us--1",
            "us east 1",
        ] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }
}
