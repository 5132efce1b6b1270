//! The TryFun family's frame checksum.

/// `(0xff - sum(bytes) + k) mod 256`, where `bytes` are the frame bytes the checksum covers and
/// `k` is the family member's constant (the frame length it counts).
pub(crate) fn checksum(bytes: &[u8], k: u8) -> u8 {
    bytes
        .iter()
        .fold(0xffu8, |acc, b| acc.wrapping_sub(*b))
        .wrapping_add(k)
}

#[cfg(test)]
mod tests {
    use super::checksum;

    #[test]
    fn wraps_around() {
        assert_eq!(checksum(&[0x02, 0x07, 0x05], 3), 0xf4);
        assert_eq!(checksum(&[0xff, 0xff], 0), 0x01);
    }
}
