//! Semantic checks shared by the messages' `validate()` implementations.

use crate::MessageError;
use crate::error::bounded_string;

/// Client messages must not use the reserved Id 0.
pub(crate) fn client_id(name: &'static str, id: u32) -> Result<(), MessageError> {
    if id == 0 {
        Err(MessageError::ReservedId { name })
    } else {
        Ok(())
    }
}

/// Server replies that the schema types as `ClientId` (1 or more).
pub(crate) fn reply_id(name: &'static str, id: u32) -> Result<(), MessageError> {
    if id == 0 {
        Err(MessageError::WrongId {
            name,
            id,
            expected: "1 or more",
        })
    } else {
        Ok(())
    }
}

/// Server events that the schema types as `SystemId` (always 0).
pub(crate) fn event_id(name: &'static str, id: u32) -> Result<(), MessageError> {
    if id == 0 {
        Ok(())
    } else {
        Err(MessageError::WrongId {
            name,
            id,
            expected: "0",
        })
    }
}

/// Messages that may carry any Id (replies that can also be events, `Error`).
pub(crate) fn any_id(_name: &'static str, _id: u32) -> Result<(), MessageError> {
    Ok(())
}

/// A finite float.
pub(crate) fn finite(
    name: &'static str,
    id: u32,
    value: f64,
    field: impl FnOnce() -> String,
) -> Result<(), MessageError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(MessageError::NotFinite {
            id,
            name,
            field: field(),
        })
    }
}

/// A finite float within `0.0..=1.0`.
pub(crate) fn unit(
    name: &'static str,
    id: u32,
    value: f64,
    field: impl Fn() -> String,
) -> Result<(), MessageError> {
    finite(name, id, value, &field)?;
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(MessageError::OutOfRange {
            id,
            name,
            field: field(),
            value: value.to_string(),
            allowed: "0..=1",
        })
    }
}

/// An integer within `min..=max` (`allowed` is the same range as text).
pub(crate) fn int_range(
    name: &'static str,
    id: u32,
    value: i64,
    (min, max, allowed): (i64, i64, &'static str),
    field: &'static str,
) -> Result<(), MessageError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(MessageError::OutOfRange {
            id,
            name,
            field: field.to_string(),
            value: value.to_string(),
            allowed,
        })
    }
}

/// A non-empty array.
pub(crate) fn non_empty<T>(
    name: &'static str,
    id: u32,
    items: &[T],
    field: &'static str,
) -> Result<(), MessageError> {
    if items.is_empty() {
        Err(MessageError::EmptyArray { id, name, field })
    } else {
        Ok(())
    }
}

/// A string value outside the allowed set.
pub(crate) fn invalid_value(
    name: &'static str,
    id: u32,
    field: String,
    value: &str,
) -> MessageError {
    MessageError::InvalidValue {
        id,
        name,
        field,
        value: bounded_string(value),
    }
}
