//! A new file made whole in one step of the folder: on Linux it is made
//! without a name (`O_TMPFILE`), filled, then linked in under its name,
//! which fails if the name is taken. A temporary file and a rename add and
//! remove a second entry in the folder for every file; at 10,000 pages in
//! one folder that was about a tenth of a build on ext4.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` as a new file at `path`, whole or not at all, and never
/// over a file that is there (`ErrorKind::AlreadyExists`). Returns the new
/// file's metadata, or `None` where this way is not open (another system,
/// or a file system without unnamed files): the caller writes it the usual
/// way.
pub fn create_whole(path: &Path, bytes: &[u8]) -> io::Result<Option<fs::Metadata>> {
    imp::create_whole(path, bytes)
}

#[cfg(target_os = "linux")]
mod imp {
    use super::*;
    use rustix::fs::{AtFlags, CWD, Mode, OFlags};
    use rustix::io::Errno;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Set once a file system says no: the rest of the run does not ask.
    static CLOSED: AtomicBool = AtomicBool::new(false);

    pub fn create_whole(path: &Path, bytes: &[u8]) -> io::Result<Option<fs::Metadata>> {
        if CLOSED.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        // Read-write for its owner, readable by others (less what the
        // umask takes), as a new file made by `tempfile` with lore's mode.
        let open = || {
            rustix::fs::openat(
                CWD,
                dir,
                OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o644),
            )
        };
        let fd = match open() {
            Err(Errno::NOENT) => {
                fs::create_dir_all(dir)?;
                open()
            }
            opened => opened,
        };
        let fd = match fd {
            Ok(fd) => fd,
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => return Ok(closed()),
            Err(e) => return Err(e.into()),
        };
        let mut file = fs::File::from(fd);
        file.write_all(bytes)?;
        let unnamed = format!("/proc/self/fd/{}", file.as_raw_fd());
        match rustix::fs::linkat(CWD, unnamed.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => file.metadata().map(Some),
            Err(Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
            // No /proc, or a file system that will not link: the unnamed
            // file goes when it is closed.
            Err(Errno::NOENT | Errno::XDEV | Errno::PERM | Errno::OPNOTSUPP) => Ok(closed()),
            Err(e) => Err(e.into()),
        }
    }

    fn closed() -> Option<fs::Metadata> {
        CLOSED.store(true, Ordering::Relaxed);
        None
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;

    pub fn create_whole(_: &Path, _: &[u8]) -> io::Result<Option<fs::Metadata>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_made_whole_in_new_folders_and_never_over_another() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/page.html");
        let Some(meta) = create_whole(&path, b"<p>one</p>").unwrap() else {
            // A file system without unnamed files: nothing to check here.
            return;
        };
        assert_eq!(fs::read(&path).unwrap(), b"<p>one</p>");
        assert_eq!(meta.len(), 10);
        assert_eq!(
            meta.modified().unwrap(),
            fs::metadata(&path).unwrap().modified().unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o600, 0o600, "{mode:o}");
        }
        let again = create_whole(&path, b"<p>two</p>").unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"<p>one</p>");
        // Nothing else was left in the folder.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["page.html"]);
    }
}
