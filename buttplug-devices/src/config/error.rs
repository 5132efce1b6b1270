//! Errors and warnings of loading device configuration files.

use std::fmt;

/// Why a device configuration file (base database or user config) was not loaded.
///
/// Every variant names the file (the `source_name` the caller passed) and, where there is one, the
/// place inside it as a JSON path such as `protocols.lovense.defaults.features[1].output.vibrate.value`.
/// A failed load never changes the database it was applied to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON, or does not follow the format: a wrong type, a missing or unknown
    /// field, an unknown output type.
    #[error("{source_name}:{line}:{column}: at `{path}`: {message}")]
    Format {
        /// The file, as the caller named it.
        source_name: String,
        /// JSON path of the offending value (`"."` for the document itself).
        path: String,
        /// Line of the error (1-based; 0 if unknown).
        line: usize,
        /// Column of the error (1-based; 0 if unknown).
        column: usize,
        /// What is wrong, without the location.
        message: String,
        /// The JSON parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The file follows the format, but a value is not allowed (a user range outside the base
    /// range, `reverse` on a vibrator, a range whose start is above its end, ...).
    #[error("{source_name}: at `{path}`: {message}")]
    Invalid {
        /// The file, as the caller named it.
        source_name: String,
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The file's format version is not one this crate reads (major 4 and 5 are read).
    #[error(
        "{source_name}: device configuration format version {major}.{minor} is not supported (major version 4 or 5 expected)"
    )]
    UnsupportedVersion {
        /// The file, as the caller named it.
        source_name: String,
        /// Major version found.
        major: u32,
        /// Minor version found.
        minor: u32,
    },
}

impl ConfigError {
    /// The file the error is about, as the caller named it.
    pub fn source_name(&self) -> &str {
        match self {
            ConfigError::Format { source_name, .. }
            | ConfigError::Invalid { source_name, .. }
            | ConfigError::UnsupportedVersion { source_name, .. } => source_name,
        }
    }

    /// The JSON path of the offending value, if the error has one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ConfigError::Format { path, .. } | ConfigError::Invalid { path, .. } => Some(path),
            ConfigError::UnsupportedVersion { .. } => None,
        }
    }

    pub(crate) fn invalid(
        source_name: &str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            source_name: source_name.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn format(source_name: &str, path: String, source: serde_json::Error) -> Self {
        // serde_json's Display appends " at line L column C"; the location has its own fields.
        let text = source.to_string();
        let suffix = format!(" at line {} column {}", source.line(), source.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
        ConfigError::Format {
            source_name: source_name.to_string(),
            path,
            line: source.line(),
            column: source.column(),
            message,
            source,
        }
    }
}

/// Something in a configuration file that was skipped rather than refused: a transport this
/// version does not know, a user entry for a protocol or feature the database does not have (for
/// example after a database update). Logged with `tracing` and kept in
/// [`crate::config::DeviceDatabase::warnings`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigWarning {
    /// The file, as the caller named it.
    pub source_name: String,
    /// JSON path of the skipped value.
    pub path: String,
    /// What was skipped and why.
    pub message: String,
}

impl ConfigWarning {
    pub(crate) fn new(
        source_name: &str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let w = ConfigWarning {
            source_name: source_name.to_string(),
            path: path.into(),
            message: message.into(),
        };
        tracing::warn!("{w}");
        w
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: at `{}`: {}",
            self.source_name, self.path, self.message
        )
    }
}
