//! Grant operations. KMS adds operations over time, so unknown names are kept, never rejected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! operations {
    ($($variant:ident => $name:literal, $short:literal;)*) => {
        /// A grant operation (`Decrypt`, `GenerateDataKey`, …) or one this build does not know.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($variant,)*
            /// An operation newer than this build, kept by its API name.
            Other(String),
        }

        impl Operation {
            /// Every operation this build knows, in API order.
            pub const KNOWN: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The API name.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $name,)*
                    Self::Other(name) => name,
                }
            }

            /// A short name for table cells.
            pub fn short_name(&self) -> &str {
                match self {
                    $(Self::$variant => $short,)*
                    Self::Other(name) => name,
                }
            }

            /// Parses an API name; unknown names are kept.
            pub fn from_name(name: &str) -> Self {
                match name {
                    $($name => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

operations! {
    Decrypt => "Decrypt", "Decrypt";
    Encrypt => "Encrypt", "Encrypt";
    GenerateDataKey => "GenerateDataKey", "GenDK";
    GenerateDataKeyWithoutPlaintext => "GenerateDataKeyWithoutPlaintext", "GenDK-NP";
    ReEncryptFrom => "ReEncryptFrom", "ReEncFrom";
    ReEncryptTo => "ReEncryptTo", "ReEncTo";
    Sign => "Sign", "Sign";
    Verify => "Verify", "Verify";
    GetPublicKey => "GetPublicKey", "GetPubKey";
    CreateGrant => "CreateGrant", "CreateGrant";
    RetireGrant => "RetireGrant", "RetireGrant";
    DescribeKey => "DescribeKey", "Describe";
    GenerateDataKeyPair => "GenerateDataKeyPair", "GenDKPair";
    GenerateDataKeyPairWithoutPlaintext => "GenerateDataKeyPairWithoutPlaintext", "GenDKPair-NP";
    GenerateMac => "GenerateMac", "GenMac";
    VerifyMac => "VerifyMac", "VerifyMac";
    DeriveSharedSecret => "DeriveSharedSecret", "DeriveSS";
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from_name(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_round_trips() {
        for op in Operation::KNOWN {
            assert_eq!(&Operation::from_name(op.as_str()), op);
        }
        assert_eq!(Operation::KNOWN.len(), 17);
    }
}
