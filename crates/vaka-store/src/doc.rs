//! How an activity's JSON document (`activity.doc`) is stored.
//!
//! The document is the whole parsed activity, about 4.4 KB of JSON on
//! average: larger than an SQLite page, so stored as text every one spilled
//! into overflow pages, and the documents were 43 % of the database and of
//! the pages an import writes (twice: WAL, then checkpoint). On SQLite it is
//! therefore stored LZ4-compressed, as a blob: [`MAGIC`], the length of the
//! JSON as a little-endian `u32`, then one LZ4 block. PostgreSQL compresses
//! large values itself (TOAST), so there the column stays `TEXT`.
//!
//! Reading accepts both forms on SQLite: documents written before the
//! compressed form are text, and text never starts with a NUL byte.

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Postgres, Sqlite, Type};

/// The first bytes of a compressed document. JSON text cannot start with NUL.
pub(crate) const MAGIC: &[u8; 4] = b"\0lz4";

/// Header: [`MAGIC`] then the JSON length (`u32`, little-endian).
const HEADER: usize = MAGIC.len() + 4;

/// LZ4 cannot expand data by more than about 255 times; a header claiming
/// more than that is corrupt, and is refused before anything is allocated.
const MAX_RATIO: usize = 255;

/// A stored document that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("compressed document is truncated")]
    Truncated,
    #[error("compressed document claims {claimed} bytes from {stored}")]
    Implausible { claimed: usize, stored: usize },
    #[error("compressed document does not decompress: {0}")]
    Lz4(#[from] lz4_flex::block::DecompressError),
    #[error("document is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

thread_local! {
    /// The LZ4 block being written, reused: the blob is then allocated at its
    /// compressed size, instead of a zero-filled buffer of the worst case
    /// that every stored document would carry until it is written.
    static BLOCK: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A block buffer larger than this is not kept for the next document.
const KEEP_BLOCK: usize = 1 << 20;

/// Compress a document (JSON text) for storage.
pub(crate) fn pack(input: &[u8]) -> Vec<u8> {
    // Documents are far below 4 GiB; one that is not is kept uncompressed.
    let Ok(len) = u32::try_from(input.len()) else {
        return input.to_vec();
    };
    BLOCK.with_borrow_mut(|block| {
        // Only growth is zero-filled; a buffer already large enough is reused as is.
        block.resize(lz4_flex::block::get_maximum_output_size(input.len()), 0);
        let out = match lz4_flex::block::compress_into(input, block) {
            Ok(n) => {
                let mut out = Vec::with_capacity(HEADER + n);
                out.extend_from_slice(MAGIC);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&block[..n]);
                out
            }
            // Cannot happen with an output of the maximum size; keep the text.
            Err(_) => input.to_vec(),
        };
        if block.capacity() > KEEP_BLOCK {
            *block = Vec::new();
        }
        out
    })
}

/// The JSON text of a stored document, compressed or not.
pub(crate) fn unpack(stored: &[u8]) -> Result<String, DocError> {
    let Some(rest) = stored.strip_prefix(MAGIC.as_slice()) else {
        return Ok(String::from_utf8(stored.to_vec())?);
    };
    let (len, block) = rest.split_at_checked(4).ok_or(DocError::Truncated)?;
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(len);
    let claimed = u32::from_le_bytes(bytes) as usize;
    if claimed > block.len().saturating_mul(MAX_RATIO) + 16 {
        return Err(DocError::Implausible {
            claimed,
            stored: stored.len(),
        });
    }
    let mut out = vec![0u8; claimed];
    let n = lz4_flex::block::decompress_into(block, &mut out)?;
    out.truncate(n);
    Ok(String::from_utf8(out)?)
}

/// `activity.doc` as read from either backend: the document's JSON text.
pub(crate) struct StoredDoc(pub String);

impl Type<Sqlite> for StoredDoc {
    fn type_info() -> SqliteTypeInfo {
        <Vec<u8> as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        // Blob (compressed) or text (written before compression).
        <Vec<u8> as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for StoredDoc {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let bytes = <&[u8] as Decode<Sqlite>>::decode(value)?;
        Ok(StoredDoc(unpack(bytes)?))
    }
}

impl Type<Postgres> for StoredDoc {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for StoredDoc {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(StoredDoc(<String as Decode<Postgres>>::decode(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_document_unpacks_to_itself() {
        let json = r#"{"identifier":"NZ-1-X","title":[{"text":"Énergie solaire – Tonga"}],"n":[1,1,1,1,1,1,1,1]}"#;
        let packed = pack(json.as_bytes());
        assert!(packed.starts_with(MAGIC));
        assert_eq!(unpack(&packed).unwrap(), json);
        assert_eq!(unpack(pack(b"").as_slice()).unwrap(), "");
    }

    #[test]
    fn documents_after_a_very_large_one_still_pack_and_unpack() {
        // Larger than the block buffer that is kept between documents.
        let large: String = (0..200_000).map(|i| format!("{i:x} ")).collect();
        assert!(large.len() > KEEP_BLOCK);
        let small = r#"{"identifier":"NZ-1-Y"}"#;
        for json in [small, large.as_str(), small, large.as_str()] {
            let packed = pack(json.as_bytes());
            assert!(packed.starts_with(MAGIC));
            // Stored at its compressed size, not the worst case.
            assert_eq!(packed.len(), packed.capacity());
            assert_eq!(unpack(&packed).unwrap(), json);
        }
    }

    #[test]
    fn text_documents_written_before_compression_still_read() {
        assert_eq!(unpack(br#"{"a":1}"#).unwrap(), r#"{"a":1}"#);
    }

    #[test]
    fn corrupt_documents_are_errors_not_panics_or_huge_allocations() {
        let packed = pack("x".repeat(10_000).as_bytes());
        // Cut short, in the header and in the block.
        assert!(unpack(&packed[..6]).is_err());
        assert!(unpack(&packed[..packed.len() - 3]).is_err());
        // A header claiming 4 GiB from a few bytes is refused before allocating.
        let mut lying = MAGIC.to_vec();
        lying.extend(u32::MAX.to_le_bytes());
        lying.extend([0x10, b'x']);
        assert!(matches!(unpack(&lying), Err(DocError::Implausible { .. })));
        // Not UTF-8 when decompressed.
        let bad = pack_bytes(&[0xff, 0xfe, 0xfd]);
        assert!(matches!(unpack(&bad), Err(DocError::Utf8(_))));
        assert!(matches!(unpack(&[0xff, 0xfe]), Err(DocError::Utf8(_))));
    }

    fn pack_bytes(input: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((input.len() as u32).to_le_bytes());
        out.extend(lz4_flex::block::compress(input));
        out
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips(s in ".{0,2000}") {
            proptest::prop_assert_eq!(unpack(&pack(s.as_bytes())).unwrap(), s);
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = unpack(&b);
            // And behind the magic, as if a stored blob were damaged.
            let mut stored = MAGIC.to_vec();
            stored.append(&mut b);
            let _ = unpack(&stored);
        }
    }
}
