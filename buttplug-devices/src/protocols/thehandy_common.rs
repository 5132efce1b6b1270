//! A minimal protobuf (proto3) writer for The Handy's two protocols: only the wire types they
//! need, with proto3's rule that scalar fields holding their default value are left out.

/// Append a base-128 varint.
pub(crate) fn varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn key(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire_type));
}

/// A `uint32`/`enum` field (left out when 0).
pub(crate) fn uint(out: &mut Vec<u8>, field: u32, value: u64) {
    if value != 0 {
        key(out, field, 0);
        varint(out, value);
    }
}

/// A `bool` field (left out when false).
pub(crate) fn boolean(out: &mut Vec<u8>, field: u32, value: bool) {
    uint(out, field, u64::from(value));
}

/// A `float` field (left out when 0.0).
pub(crate) fn float(out: &mut Vec<u8>, field: u32, value: f32) {
    if value != 0.0 {
        key(out, field, 5);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

/// A `double` field (left out when 0.0).
pub(crate) fn double(out: &mut Vec<u8>, field: u32, value: f64) {
    if value != 0.0 {
        key(out, field, 1);
        out.extend_from_slice(&value.to_le_bytes());
    }
}

/// An embedded message field (always written, even when empty: it marks a oneof choice).
pub(crate) fn message(out: &mut Vec<u8>, field: u32, body: &[u8]) {
    key(out, field, 2);
    varint(out, body.len() as u64);
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, vec![0xac, 0x02]);
        let mut v = Vec::new();
        uint(&mut v, 1, 0);
        boolean(&mut v, 2, false);
        float(&mut v, 3, 0.0);
        double(&mut v, 4, 0.0);
        assert!(v.is_empty(), "defaults are left out");
        uint(&mut v, 2, 999);
        assert_eq!(v, vec![0x10, 0xe7, 0x07]);
        let mut v = Vec::new();
        float(&mut v, 1, 0.5);
        assert_eq!(v, vec![0x0d, 0, 0, 0, 0x3f]);
        let mut v = Vec::new();
        double(&mut v, 3, 0.5);
        assert_eq!(v, vec![0x19, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f]);
        let mut v = Vec::new();
        message(&mut v, 713, &[]);
        assert_eq!(v, vec![0xca, 0x2c, 0x00]);
    }
}
