//! Typed messages of every spec version, and the variant enums that hold any of them.

use crate::{MessageError, SpecVersion};
use serde::{Serialize, Serializer};

/// Implements [`ButtplugMessage`] for a struct with an `id` field, plus an inherent `NAME`.
macro_rules! impl_message {
    ($ty:ident, $wire:literal, |$s:ident| $body:expr) => {
        impl $ty {
            #[doc = concat!("The wire name, `", $wire, "`.")]
            pub const NAME: &'static str = $wire;
        }

        impl $crate::message::ButtplugMessage for $ty {
            fn name(&self) -> &'static str {
                $wire
            }

            fn id(&self) -> u32 {
                self.id
            }

            fn set_id(&mut self, id: u32) {
                self.id = id;
            }

            fn validate(&self) -> Result<(), $crate::MessageError> {
                let $s = self;
                $body
            }
        }
    };
}

/// Defines a message whose only field is `Id`, with the given Id rule from `validate`.
macro_rules! id_message {
    ($(#[$m:meta])* $ty:ident, $wire:literal, $rule:ident) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        pub struct $ty {
            /// Message Id.
            pub id: u32,
        }

        impl $ty {
            /// A message with this Id.
            pub const fn new(id: u32) -> Self {
                $ty { id }
            }
        }

        impl_message!($ty, $wire, |m| $crate::message::validate::$rule($wire, m.id));
    };
}

/// Defines a per-version message enum (externally tagged, variant name = wire name) with its
/// `NAMES` list, [`ButtplugMessage`] delegation and `From` impls.
macro_rules! message_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($variant:ident($ty:ty)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        // DeviceAdded/DeviceList variants are a few hundred bytes; a message is built, moved once
        // and rendered, so boxing them would only make matching clumsier for no measurable gain.
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $(
                #[doc = concat!("`", stringify!($variant), "`.")]
                $variant($ty),
            )+
        }

        impl $name {
            /// The wire names of every message in this set.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($variant)),+];
        }

        impl $crate::message::ButtplugMessage for $name {
            fn name(&self) -> &'static str {
                match self {
                    $($name::$variant(_) => stringify!($variant),)+
                }
            }

            fn id(&self) -> u32 {
                match self {
                    $($name::$variant(m) => $crate::message::ButtplugMessage::id(m),)+
                }
            }

            fn set_id(&mut self, id: u32) {
                match self {
                    $($name::$variant(m) => $crate::message::ButtplugMessage::set_id(m, id),)+
                }
            }

            fn validate(&self) -> Result<(), $crate::MessageError> {
                match self {
                    $($name::$variant(m) => $crate::message::ButtplugMessage::validate(m),)+
                }
            }
        }

        $(
            impl From<$ty> for $name {
                fn from(m: $ty) -> Self {
                    $name::$variant(m)
                }
            }
        )+
    };
}

pub(crate) mod serde_helpers;
pub(crate) mod validate;

pub mod v0;
pub mod v1;
pub mod v2;
pub mod v3;
pub mod v4;

use v0::{ClientMessageV0, ServerMessageV0};
use v1::{ClientMessageV1, ServerMessageV1};
use v2::{ClientMessageV2, ServerMessageV2};
use v3::{ClientMessageV3, ServerMessageV3};
use v4::{ClientMessageV4, ServerMessageV4};

/// What every message (and every message enum) offers: its wire name, its Id, and semantic
/// validation beyond what parsing checks.
pub trait ButtplugMessage {
    /// The wire name (`"Ok"`, `"ScalarCmd"`, ...).
    fn name(&self) -> &'static str;

    /// The message Id (0 for server events).
    fn id(&self) -> u32;

    /// Replace the message Id.
    fn set_id(&mut self, id: u32);

    /// Semantic checks that parsing cannot express: client Ids are not 0 (and event Ids are 0),
    /// floats are finite and within `0..=1` where the schema says so, arrays the schema requires
    /// to be non-empty are non-empty, integer fields are within their schema range.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`MessageError`] carrying the message's Id.
    fn validate(&self) -> Result<(), MessageError>;

    /// Whether [`ButtplugMessage::validate`] passes.
    fn is_valid(&self) -> bool {
        self.validate().is_ok()
    }
}

/// The newest client message set.
pub type ClientMessageCurrent = ClientMessageV4;
/// The newest server message set.
pub type ServerMessageCurrent = ServerMessageV4;

/// A client-to-server message of any spec version.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// A spec v0 message.
    V0(ClientMessageV0),
    /// A spec v1 message.
    V1(ClientMessageV1),
    /// A spec v2 message.
    V2(ClientMessageV2),
    /// A spec v3 message.
    V3(ClientMessageV3),
    /// A spec v4 message.
    V4(ClientMessageV4),
}

/// A server-to-client message of any spec version.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// A spec v0 message.
    V0(ServerMessageV0),
    /// A spec v1 message.
    V1(ServerMessageV1),
    /// A spec v2 message.
    V2(ServerMessageV2),
    /// A spec v3 message.
    V3(ServerMessageV3),
    /// A spec v4 message.
    V4(ServerMessageV4),
}

macro_rules! variant_enum_impl {
    ($name:ident) => {
        impl $name {
            /// The spec version this message belongs to.
            pub fn version(&self) -> SpecVersion {
                match self {
                    $name::V0(_) => SpecVersion::V0,
                    $name::V1(_) => SpecVersion::V1,
                    $name::V2(_) => SpecVersion::V2,
                    $name::V3(_) => SpecVersion::V3,
                    $name::V4(_) => SpecVersion::V4,
                }
            }

            /// The message Id.
            pub fn id(&self) -> u32 {
                ButtplugMessage::id(self)
            }

            /// Replace the message Id.
            pub fn set_id(&mut self, id: u32) {
                ButtplugMessage::set_id(self, id)
            }

            /// The wire name.
            pub fn name(&self) -> &'static str {
                ButtplugMessage::name(self)
            }

            /// Semantic validation; see [`ButtplugMessage::validate`].
            ///
            /// # Errors
            ///
            /// The first problem found.
            pub fn validate(&self) -> Result<(), MessageError> {
                ButtplugMessage::validate(self)
            }
        }

        impl ButtplugMessage for $name {
            fn name(&self) -> &'static str {
                match self {
                    $name::V0(m) => m.name(),
                    $name::V1(m) => m.name(),
                    $name::V2(m) => m.name(),
                    $name::V3(m) => m.name(),
                    $name::V4(m) => m.name(),
                }
            }

            fn id(&self) -> u32 {
                match self {
                    $name::V0(m) => m.id(),
                    $name::V1(m) => m.id(),
                    $name::V2(m) => m.id(),
                    $name::V3(m) => m.id(),
                    $name::V4(m) => m.id(),
                }
            }

            fn set_id(&mut self, id: u32) {
                match self {
                    $name::V0(m) => m.set_id(id),
                    $name::V1(m) => m.set_id(id),
                    $name::V2(m) => m.set_id(id),
                    $name::V3(m) => m.set_id(id),
                    $name::V4(m) => m.set_id(id),
                }
            }

            fn validate(&self) -> Result<(), MessageError> {
                match self {
                    $name::V0(m) => m.validate(),
                    $name::V1(m) => m.validate(),
                    $name::V2(m) => m.validate(),
                    $name::V3(m) => m.validate(),
                    $name::V4(m) => m.validate(),
                }
            }
        }

        /// Serializes as the inner message (`{"Name": {...}}`), without a version tag.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $name::V0(m) => m.serialize(s),
                    $name::V1(m) => m.serialize(s),
                    $name::V2(m) => m.serialize(s),
                    $name::V3(m) => m.serialize(s),
                    $name::V4(m) => m.serialize(s),
                }
            }
        }
    };
}

variant_enum_impl!(ClientMessage);
variant_enum_impl!(ServerMessage);

macro_rules! variant_from {
    ($outer:ident, $($v:ident($inner:ty)),+) => {
        $(
            impl From<$inner> for $outer {
                fn from(m: $inner) -> Self {
                    $outer::$v(m)
                }
            }
        )+
    };
}

variant_from!(
    ClientMessage,
    V0(ClientMessageV0),
    V1(ClientMessageV1),
    V2(ClientMessageV2),
    V3(ClientMessageV3),
    V4(ClientMessageV4)
);
variant_from!(
    ServerMessage,
    V0(ServerMessageV0),
    V1(ServerMessageV1),
    V2(ServerMessageV2),
    V3(ServerMessageV3),
    V4(ServerMessageV4)
);
