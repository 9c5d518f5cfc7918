//! `find` and `rfind` of the JS class `Mmap`: Python's defaults (start at
//! the cursor), negative bounds counted from the end, a string needle as
//! UTF-8.

use wasm_bindgen::prelude::*;

use super::args::{self, Bytes, JsResult};
use super::errors::from_vmmap;
use super::mmap::JsMmap;
use crate::paged::zeroed;

#[wasm_bindgen(js_class = Mmap)]
impl JsMmap {
    /// The lowest index of `sub` (a `Uint8Array`, or a string as UTF-8) in
    /// `start..end`, or -1. As Python: `start` defaults to the cursor
    /// (`tell()`), `end` to the end; both follow slice rules.
    pub fn find(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] sub: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] end: JsValue,
    ) -> JsResult<f64> {
        self.search("Mmap.find", sub, start, end, false)
    }

    /// The highest index of `sub` in `start..end`, or -1; arguments as `find`.
    pub fn rfind(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] sub: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] end: JsValue,
    ) -> JsResult<f64> {
        self.search("Mmap.rfind", sub, start, end, true)
    }
}

impl JsMmap {
    fn search(
        &self,
        call: &str,
        sub: JsValue,
        start: JsValue,
        end: JsValue,
        reverse: bool,
    ) -> JsResult<f64> {
        let map = self.reading(call)?;
        let needle = match args::bytes(call, "sub", &sub)? {
            Bytes::Utf8(bytes) => bytes,
            Bytes::Array(array) => {
                let mut bytes =
                    zeroed(array.length() as u64, call).map_err(|e| from_vmmap(call, &e))?;
                array.copy_to(&mut bytes);
                bytes
            }
        };
        let len = map.len();
        let cursor = map.tell().min(len);
        let s = args::slice_bound(args::optional_integer(call, "start", &start)?, cursor, len);
        let e = args::slice_bound(args::optional_integer(call, "end", &end)?, len, len);
        let found = if reverse {
            map.rfind_in(&needle, s..e)
        } else {
            map.find_in(&needle, s..e)
        };
        let found = found.map_err(|err| from_vmmap(call, &err))?;
        Ok(found.map_or(-1.0, |i| i as f64))
    }
}
