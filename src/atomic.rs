//! Atomic file writes: a temporary file in the same directory, synced, then renamed over the
//! target. A reader sees the old file or the new one, never half of one; on failure the old file
//! is untouched and no temporary file is left behind.
//!
//! Output paths are checked first ([`check_output`]): only a regular file or a path that does
//! not exist yet is written. A device (`/dev/null`), a FIFO, a socket or a directory is refused
//! with a sentence, never renamed over (as root, a rename over `/dev/null` breaks it for the
//! whole machine) nor opened (opening a FIFO blocks until someone reads it). A symbolic link is
//! followed: its target is checked, and an atomic write replaces the target (the temporary file
//! goes beside the target), so the link stays a link. A link whose target does not exist is
//! refused.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What a path that cannot be written as a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// A regular file (where a directory was expected).
    File,
    Directory,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    /// Something else that is not a regular file.
    Other,
}

impl PathKind {
    fn of(file_type: std::fs::FileType) -> Option<Self> {
        if file_type.is_file() {
            return None;
        }
        if file_type.is_dir() {
            return Some(Self::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return Some(Self::Fifo);
            }
            if file_type.is_socket() {
                return Some(Self::Socket);
            }
            if file_type.is_char_device() {
                return Some(Self::CharDevice);
            }
            if file_type.is_block_device() {
                return Some(Self::BlockDevice);
            }
        }
        Some(Self::Other)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::File => "a regular file",
            Self::Directory => "a directory",
            Self::Fifo => "a FIFO",
            Self::Socket => "a socket",
            Self::CharDevice => "a character device",
            Self::BlockDevice => "a block device",
            Self::Other => "a special file",
        }
    }
}

/// Why a path cannot be used as an output file (or directory).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputPathError {
    /// The path (or the target of a link at it) is not a regular file.
    #[error("{} is {}, not a regular file: give a file path", path.display(), kind.describe())]
    NotAFile { path: PathBuf, kind: PathKind },
    /// A directory was expected and the path is something else.
    #[error("{} is {}, not a directory: give a directory path", path.display(), kind.describe())]
    NotADirectory { path: PathBuf, kind: PathKind },
    /// A symbolic link whose target does not exist.
    #[error(
        "{} is a symbolic link to {}, which does not exist: give a file path, or create the link's target first",
        path.display(),
        target.display()
    )]
    DanglingLink { path: PathBuf, target: PathBuf },
}

impl OutputPathError {
    /// The problem without the path, for sentences that name the path already
    /// ("cannot write PATH: it is a FIFO, not a regular file").
    pub fn reason(&self) -> String {
        match self {
            Self::NotAFile { kind, .. } => format!("it is {}, not a regular file", kind.describe()),
            Self::NotADirectory { kind, .. } => {
                format!("it is {}, not a directory", kind.describe())
            }
            Self::DanglingLink { target, .. } => format!(
                "it is a symbolic link to {}, which does not exist",
                target.display()
            ),
        }
    }
}

impl From<OutputPathError> for std::io::Error {
    fn from(err: OutputPathError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, err.reason())
    }
}

/// What is at `path`, following a symbolic link: `Ok(None)` for a regular file or nothing,
/// `Ok(Some(kind))` for anything else. A path that cannot be looked at (a missing parent, no
/// permission) is left to the write itself, which says why.
fn kind_at(path: &Path) -> Result<Option<PathKind>, OutputPathError> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(PathKind::of(meta.file_type())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            match std::fs::symlink_metadata(path) {
                Ok(link) if link.file_type().is_symlink() => Err(OutputPathError::DanglingLink {
                    path: path.to_owned(),
                    target: std::fs::read_link(path).unwrap_or_default(),
                }),
                _ => Ok(None),
            }
        }
        Err(_) => Ok(None),
    }
}

/// Whether `path` may be written as a file: a regular file (or a link to one) or nothing yet.
pub fn check_output(path: &Path) -> Result<(), OutputPathError> {
    match kind_at(path)? {
        None => Ok(()),
        Some(kind) => Err(OutputPathError::NotAFile {
            path: path.to_owned(),
            kind,
        }),
    }
}

/// Whether `path` may be used as an output directory: a directory (or a link to one) or
/// nothing yet.
pub fn check_output_dir(path: &Path) -> Result<(), OutputPathError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) => Err(OutputPathError::NotADirectory {
            path: path.to_owned(),
            kind: PathKind::of(meta.file_type()).unwrap_or(PathKind::File),
        }),
        Err(_) => kind_at(path).map(|_| ()),
    }
}

/// Replaces `path` with `bytes` atomically. Refuses what [`check_output`] refuses; through a
/// symbolic link, the link's target is replaced.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    check_output(path)?;
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = if is_link {
        std::fs::canonicalize(path)?
    } else {
        path.to_owned()
    };
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    fn fifo(dir: &Path) -> PathBuf {
        let path = dir.join("pipe");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
        path
    }

    #[test]
    fn a_regular_file_or_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("new.json");
        assert_eq!(check_output(&absent), Ok(()));
        write(&absent, b"one").unwrap();
        assert_eq!(check_output(&absent), Ok(()));
        write(&absent, b"two").unwrap();
        assert_eq!(std::fs::read(&absent).unwrap(), b"two");
    }

    #[test]
    fn a_directory_is_refused_as_a_file_and_taken_as_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_output(dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a directory, not a regular file: give a file path",
                dir.path().display()
            )
        );
        assert!(write(dir.path(), b"x").is_err());
        assert!(dir.path().is_dir());
        assert_eq!(check_output_dir(dir.path()), Ok(()));
        assert_eq!(check_output_dir(&dir.path().join("new")), Ok(()));
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(
            check_output_dir(&file).unwrap_err().reason(),
            "it is a regular file, not a directory"
        );
    }

    #[test]
    fn a_fifo_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = fifo(dir.path());
        let err = check_output(&pipe).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a FIFO, not a regular file: give a file path",
                pipe.display()
            )
        );
        let err = write(&pipe, b"x").unwrap_err();
        assert_eq!(
            crate::io_reason::io_reason(&err),
            "it is a FIFO, not a regular file"
        );
        assert!(std::fs::metadata(&pipe).unwrap().file_type().is_fifo());
        assert!(check_output_dir(&pipe).is_err());
    }

    #[test]
    fn a_device_is_refused_and_left_as_it_is() {
        let null = Path::new("/dev/null");
        let err = check_output(null).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/null is a character device, not a regular file: give a file path"
        );
        assert!(write(null, b"x").is_err());
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn a_socket_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        assert_eq!(
            check_output(&path).unwrap_err().reason(),
            "it is a socket, not a regular file"
        );
        assert!(write(&path, b"x").is_err());
        assert!(std::fs::metadata(&path).unwrap().file_type().is_socket());
    }

    #[test]
    fn a_link_to_a_file_writes_through_to_the_file_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(check_output(&link), Ok(()));
        write(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A link to a FIFO is judged by the FIFO.
        let pipe = fifo(dir.path());
        let to_pipe = dir.path().join("to-pipe");
        std::os::unix::fs::symlink(&pipe, &to_pipe).unwrap();
        assert_eq!(
            check_output(&to_pipe).unwrap_err().reason(),
            "it is a FIFO, not a regular file"
        );
    }

    #[test]
    fn a_dangling_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.json");
        let missing = dir.path().join("missing.json");
        std::os::unix::fs::symlink(&missing, &link).unwrap();
        let err = check_output(&link).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a symbolic link to {}, which does not exist: give a file path, or create the link's target first",
                link.display(),
                missing.display()
            )
        );
        assert!(write(&link, b"x").is_err());
        assert!(!missing.exists());
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
