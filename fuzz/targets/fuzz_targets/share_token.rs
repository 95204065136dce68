#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| medchain_fuzz::share_token::run(data));
