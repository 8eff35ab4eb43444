//! IO errors as the short phrase a sentence ends with: "no such file", not "No such file or
//! directory (os error 2)".
//!
//! Every module that names a file it could not read or write says why with [`io_reason`]. It
//! only phrases the error: the sentence around it (which file, what was not done) is the
//! caller's.

/// An IO error as a short phrase: "no such file", not "No such file or directory (os error 2)".
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_owned(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::io_reason;
    use std::io::{Error, ErrorKind};

    #[test]
    fn common_errors_are_short_phrases_and_others_lose_their_os_code() {
        assert_eq!(io_reason(&Error::from(ErrorKind::NotFound)), "no such file");
        assert_eq!(
            io_reason(&Error::from(ErrorKind::PermissionDenied)),
            "permission denied"
        );
        assert_eq!(
            io_reason(&Error::from_raw_os_error(28)),
            "No space left on device"
        );
        assert_eq!(
            io_reason(&Error::new(ErrorKind::InvalidInput, "it is a FIFO")),
            "it is a FIFO"
        );
    }
}
