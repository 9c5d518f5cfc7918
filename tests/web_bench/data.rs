//! The test file's bytes: a pseudo-random stream of which any part can be
//! made on its own, for any chunk size, without holding the whole file.

use crate::FILE;

/// The 8 bytes at word `i` of the pseudo-random stream `seed` (splitmix64).
fn word(seed: u64, i: u64) -> [u8; 8] {
    let mut z = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(i.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)).to_le_bytes()
}

/// Fills `out` with the bytes of stream `seed` from byte `offset` (a multiple of 8).
pub fn random_bytes(seed: u64, offset: usize, out: &mut [u8]) {
    debug_assert_eq!(offset % 8, 0);
    for (j, w) in out.chunks_mut(8).enumerate() {
        w.copy_from_slice(&word(seed, (offset / 8 + j) as u64)[..w.len()]);
    }
}

/// Panics unless `bytes` (file offset 0) hold stream `seed` at a few spots.
pub fn check_bytes(what: &str, seed: u64, bytes: &[u8]) {
    assert_eq!(bytes.len(), FILE, "{what}: wrong length");
    let mut expected = vec![0u8; 4096];
    for offset in [0, FILE / 3 / 4096 * 4096, FILE - 4096] {
        random_bytes(seed, offset, &mut expected);
        assert!(
            bytes[offset..offset + 4096] == expected[..],
            "{what}: the bytes at {offset} are not the file's"
        );
    }
}

/// Changes one byte of every page of `bytes` (differently in each round
/// `round`), so that every page is dirty and the bytes stay random: values
/// of repeated bytes would let the browser compress them.
pub fn touch_every_page(bytes: &mut [u8], round: usize) {
    let page = vmmap::page_size();
    let at = (round * 97) % page;
    for p in (0..bytes.len()).step_by(page) {
        if let Some(b) = bytes.get_mut(p + at) {
            *b ^= 0xa5;
        }
    }
}
