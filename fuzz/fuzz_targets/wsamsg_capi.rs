#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ws2_fuzz::wsamsg_capi::run(data));
