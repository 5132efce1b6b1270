//! Buttplug protocol core: messages of every spec version, JSON codec, errors, connector trait.
//!
//! (Crate documentation is being written; see docs/DESIGN.md.)

mod feature;

pub use feature::{InputCommandType, InputType, OutputType, StepRange};
