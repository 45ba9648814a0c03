//! Where a profile file's text comes from when a section is read: the open file, read
//! again by offset, or a text held whole.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock as OnceCell;

/// Where a file's text comes from when a section is read.
#[derive(Debug, Default)]
pub(super) enum Source {
    /// No file: nothing to read.
    #[default]
    Empty,
    /// Given whole (tests, `from_texts`).
    Text(String),
    /// The open file, read again by offset; the whole text is kept once something
    /// reads many sections (`hat list`, the picker).
    File {
        file: std::fs::File,
        whole: OnceCell<String>,
    },
}

impl Clone for Source {
    fn clone(&self) -> Self {
        match self {
            Source::Empty => Source::Empty,
            Source::Text(text) => Source::Text(text.clone()),
            Source::File { file, whole } => match file.try_clone() {
                Ok(file) => Source::File {
                    file,
                    whole: whole.clone(),
                },
                // Out of file descriptors: a copy of the text serves as well.
                Err(_) => {
                    self.keep_whole();
                    Source::Text(whole.get().cloned().unwrap_or_default())
                }
            },
        }
    }
}

impl Source {
    /// The text of `range` (empty if the file can no longer be read as it was).
    pub(super) fn read(&self, range: Range<usize>) -> Cow<'_, str> {
        match self {
            Source::Empty => Cow::Borrowed(""),
            Source::Text(text) => Cow::Borrowed(text.get(range).unwrap_or("")),
            Source::File { file, whole } => {
                if let Some(text) = whole.get() {
                    return Cow::Borrowed(text.get(range).unwrap_or(""));
                }
                use std::os::unix::fs::FileExt;
                let mut bytes = vec![0; range.len()];
                match file.read_exact_at(&mut bytes, range.start as u64) {
                    Ok(()) => Cow::Owned(String::from_utf8(bytes).unwrap_or_default()),
                    Err(_) => Cow::Borrowed(""),
                }
            }
        }
    }

    pub(super) fn keep_whole(&self) {
        if let Source::File { file, whole } = self {
            whole.get_or_init(|| {
                // By offset, like every other read: the file's position is shared.
                use std::os::unix::fs::FileExt;
                let length = file.metadata().map(|m| m.len()).unwrap_or(0);
                let mut bytes = vec![0; length as usize];
                match file.read_exact_at(&mut bytes, 0) {
                    Ok(()) => String::from_utf8(bytes).unwrap_or_default(),
                    Err(_) => String::new(),
                }
            });
        }
    }
}
