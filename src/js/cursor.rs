//! The file-object calls of the JS class `Mmap`: `read`, `readByte`,
//! `readline`, `write`, `writeByte`, `seek`, `tell`, over the cursor of the
//! Rust [`Mmap`], with Python's semantics and the class's error names.

use std::io::SeekFrom;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::args::{self, Bytes, JsResult};
use super::errors::{from_vmmap, range_error};
use super::mmap::{JsMmap, copy_in};
use crate::mmap::Mmap;

#[wasm_bindgen(js_class = Mmap)]
impl JsMmap {
    /// Up to `n` bytes from the cursor (left out, `null` or negative: to the
    /// end), moving the cursor past them; empty at the end.
    pub fn read(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] n: JsValue,
    ) -> JsResult<Uint8Array> {
        let call = "Mmap.read";
        let mut map = self.open(call)?;
        let n = args::optional_integer(call, "n", &n)?.filter(|&n| n >= 0);
        let rest = map.len().saturating_sub(map.tell());
        let take = n.map_or(rest, |n| usize::try_from(n).map_or(rest, |n| n.min(rest)));
        self.take(&mut map, call, take)
    }

    /// The byte at the cursor, moving past it; `RangeError` at the end.
    #[wasm_bindgen(js_name = readByte)]
    pub fn read_byte(&self) -> JsResult<u8> {
        let call = "Mmap.readByte";
        self.open(call)?
            .read_byte()
            .map_err(|e| from_vmmap(call, &e))
    }

    /// One line from the cursor, up to and including the next `\n` (or to
    /// the end); empty at the end.
    pub fn readline(&self) -> JsResult<Uint8Array> {
        let call = "Mmap.readline";
        let mut map = self.open(call)?;
        let pos = map.tell();
        let rest = map.len().saturating_sub(pos);
        let newline = map
            .find_in(b"\n", pos..)
            .map_err(|e| from_vmmap(call, &e))?;
        let take = newline.map_or(rest, |i| i + 1 - pos);
        self.take(&mut map, call, take)
    }

    /// Writes all of `data` (a `Uint8Array`, or a string as UTF-8) at the
    /// cursor and moves past it; returns its length. `RangeError` if it does
    /// not fit before the end (nothing is written).
    pub fn write(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] data: JsValue,
    ) -> JsResult<usize> {
        let call = "Mmap.write";
        let mut map = self.writable(call)?;
        let pos = map.tell();
        match args::bytes(call, "data", &data)? {
            Bytes::Utf8(bytes) => map.write(&bytes).map_err(|e| from_vmmap(call, &e)),
            Bytes::Array(array) => {
                copy_in(&mut map, call, pos, array)?;
                let n = array.length() as usize;
                map.seek(SeekFrom::Start((pos + n) as u64))
                    .map_err(|e| from_vmmap(call, &e))?;
                Ok(n)
            }
        }
    }

    /// Writes `byte` (0..=255) at the cursor and moves past it.
    #[wasm_bindgen(js_name = writeByte)]
    pub fn write_byte(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] byte: JsValue,
    ) -> JsResult<()> {
        let call = "Mmap.writeByte";
        let mut map = self.writable(call)?;
        let b = args::byte(call, &byte)?;
        map.write_byte(b).map_err(|e| from_vmmap(call, &e))
    }

    /// Moves the cursor to `pos` from the start (`whence` 0, the default),
    /// the cursor (1) or the end (2); returns the new position. `RangeError`
    /// for a target before 0 or past the end.
    pub fn seek(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] pos: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "0 | 1 | 2")] whence: JsValue,
    ) -> JsResult<f64> {
        let call = "Mmap.seek";
        let mut map = self.open(call)?;
        let pos = args::integer(call, "pos", &pos)?;
        let target = match args::optional_integer(call, "whence", &whence)?.unwrap_or(0) {
            0 => match u64::try_from(pos) {
                Ok(pos) => SeekFrom::Start(pos),
                Err(_) => {
                    return Err(range_error(format!(
                        "{call}: seek to {pos} is before the start of the map"
                    )));
                }
            },
            1 => SeekFrom::Current(pos),
            2 => SeekFrom::End(pos),
            other => {
                return Err(range_error(format!(
                    "{call}: whence must be 0 (from the start), 1 (from the cursor) or 2 (from the end), got {other}"
                )));
            }
        };
        map.seek(target)
            .map(|p| p as f64)
            .map_err(|e| from_vmmap(call, &e))
    }

    /// The cursor position.
    pub fn tell(&self) -> JsResult<usize> {
        Ok(self.reading("Mmap.tell")?.tell())
    }
}

impl JsMmap {
    /// The next `n` bytes from the cursor (`n` fits), copied out; the cursor moves past them.
    fn take(&self, map: &mut Mmap, call: &str, n: usize) -> JsResult<Uint8Array> {
        let pos = map.tell();
        if n == 0 {
            // At or past the end (after a shrinking resize): empty, the cursor stays.
            return Ok(Uint8Array::new_with_length(0));
        }
        let bytes = map
            .try_get(pos..pos + n)
            .map_err(|e| from_vmmap(call, &e))?;
        let out = Uint8Array::from(bytes);
        map.seek(SeekFrom::Start((pos + n) as u64))
            .map_err(|e| from_vmmap(call, &e))?;
        Ok(out)
    }
}
