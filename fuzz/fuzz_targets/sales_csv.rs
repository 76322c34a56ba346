//! A royalty statement as CSV, as `POST /v1/royalties/statement` receives
//! it: every line it accepts is a valid sale, and never more than the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use provenant_model::royalty::{MAX_SALES_LINES, parse_sales_csv};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(sales) = parse_sales_csv(text) {
        assert!(sales.len() <= MAX_SALES_LINES);
        assert!(sales.len() < text.lines().count().max(1));
    }
});
