use crate::message::validate as check;
use crate::{InputCommandType, InputType};
use serde::{Deserialize, Serialize};

/// `InputCmd` (v4, client to server): read, subscribe to or unsubscribe from one input of one
/// feature. `"RSSI"` is accepted as `Rssi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct InputCmdV4 {
    /// Message Id.
    pub id: u32,
    /// Device index.
    pub device_index: u32,
    /// Feature index.
    pub feature_index: u32,
    /// The input to address (wire field `Type`).
    #[serde(rename = "Type")]
    pub input_type: InputType,
    /// What to do.
    pub command: InputCommandType,
}

impl_message!(InputCmdV4, "InputCmd", |m| check::client_id(
    "InputCmd", m.id
));
