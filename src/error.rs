//! The library's error type: every failure a user can cause names the file or flag concerned.

use std::path::PathBuf;

/// Everything that can go wrong in mtcheck's library code.
///
/// `Input`, `Model` and `Usage` errors are the user's to fix (the binary exits with 2);
/// `Internal` means a bug or an unexpected failure of a dependency.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file is missing, unreadable, empty, binary, too large or badly encoded.
    #[error("{}: {msg}", path.display())]
    Input { path: PathBuf, msg: String },
    /// A model could not be resolved, downloaded or loaded.
    #[error("model {model}: {msg}")]
    Model { model: String, msg: String },
    /// A flag or argument combination that cannot work.
    #[error("{0}")]
    Usage(String),
    /// Writing a report or a converted model failed.
    #[error("{}: {msg}", path.display())]
    Output { path: PathBuf, msg: String },
    /// A failure inside the numeric back end.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn input(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            msg: msg.into(),
        }
    }
    pub fn model(model: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Model {
            model: model.into(),
            msg: msg.into(),
        }
    }
    pub fn output(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        Error::Output {
            path: path.into(),
            msg: msg.into(),
        }
    }
    /// True for errors the user caused (bad input, bad model, bad flags): exit code 2.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_))
    }
}

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Internal(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
