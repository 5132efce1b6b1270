use crate::message::validate as check;
use serde::{Deserialize, Serialize};

/// `Test` (v0..v1, both directions): the server echoes the message back (`TestString` `"Error"`
/// asks for an `Error` reply instead).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TestV0 {
    /// Message Id.
    pub id: u32,
    /// Text to echo.
    pub test_string: String,
}

impl TestV0 {
    /// A test message.
    pub fn new(id: u32, test_string: impl Into<String>) -> Self {
        TestV0 {
            id,
            test_string: test_string.into(),
        }
    }
}

impl_message!(TestV0, "Test", |m| check::client_id("Test", m.id));
