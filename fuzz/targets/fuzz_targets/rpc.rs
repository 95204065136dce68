#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| medchain_fuzz::rpc::run(data));
