//! Buttplug protocol core (work in progress).
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod error;
mod feature;
mod message;
mod version;

pub use error::{
    ConnectorError, ErrorCode, HandshakeError, MAX_ECHO_BYTES, MessageError, TransportSource,
};
pub use feature::{InputCommandType, InputType, OutputType, StepRange};
pub use message::{
    ButtplugMessage, ClientMessage, ClientMessageCurrent, ServerMessage, ServerMessageCurrent, v0,
    v1, v2, v3, v4,
};
pub use version::{SpecVersion, UnknownSpecVersion};
